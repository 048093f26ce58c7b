// Two projects: fast unit tests of pure logic, and e2e suites on real control planes.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  setupFiles: ['reflect-metadata'],
};

export default {
  // log-reporter: after a failed e2e run, prints where the control-plane logs are (kept then).
  // count-reporter: per-run pass/fail counts for .ci/run (only when OCMADM_TEST_COUNTS is set).
  reporters: ['default', '<rootDir>/e2e/setup/log-reporter.js', '<rootDir>/.ci/count-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e.ts'],
      globalSetup: '<rootDir>/e2e/setup/global-setup.ts',
      globalTeardown: '<rootDir>/e2e/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/e2e/setup/timeout.ts'],
    },
  ],
};
