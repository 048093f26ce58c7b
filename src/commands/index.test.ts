/** Which command lines load TLS at start (commandsFor calls preloadTls for them). */
import { talksToCluster } from './index.js';

test('a command that talks to a cluster does, after global flags too; --version, --help, local commands and unknown words do not', () => {
  expect(talksToCluster(['get', 'clusters'])).toBe(true);
  expect(talksToCluster(['--kubeconfig', 'x', '--context', 'hub', 'accept', '--clusters', 'c1'])).toBe(true);
  expect(talksToCluster(['version', '-o', 'json'])).toBe(true);
  expect(talksToCluster(['--version'])).toBe(false);
  expect(talksToCluster(['get', 'clusters', '--help'])).toBe(false);
  expect(talksToCluster(['init', '-h'])).toBe(false);
  expect(talksToCluster(['runtime', 'list'])).toBe(false);
  expect(talksToCluster(['completion', 'bash'])).toBe(false);
  expect(talksToCluster(['nosuch'])).toBe(false);
  expect(talksToCluster([])).toBe(false);
});
