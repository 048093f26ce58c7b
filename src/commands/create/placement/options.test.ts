import { UsageError } from '../../../cli/errors.js';
import { placementOptions } from './options.js';
import { checkCelSelectors } from './run.js';

describe('create placement options', () => {
  test('flags become the Placement spec clusteradm writes (Additive prioritizers), plus claim selectors', () => {
    const o = placementOptions('web', {
      namespace: 'apps',
      clustersets: 'prod,dev',
      labelSelectors: 'region=eu,tier!=db,gpu,!legacy',
      claimSelectors: 'platform.open-cluster-management.io=AWS',
      prioritizers: 'Steady:3,BuiltIn:ResourceAllocatableCPU:2,AddOn:usage:cpuratio:-1',
      count: '2',
      dryRun: true,
    });
    expect(o).toEqual({
      name: 'web',
      namespace: 'apps',
      overwrite: false,
      dryRun: true,
      output: 'text',
      spec: {
        clusterSets: ['prod', 'dev'],
        numberOfClusters: 2,
        predicates: [
          {
            requiredClusterSelector: {
              labelSelector: {
                matchLabels: { region: 'eu' },
                matchExpressions: [
                  { key: 'tier', operator: 'NotIn', values: ['db'] },
                  { key: 'gpu', operator: 'Exists' },
                  { key: 'legacy', operator: 'DoesNotExist' },
                ],
              },
              claimSelector: { matchExpressions: [{ key: 'platform.open-cluster-management.io', operator: 'In', values: ['AWS'] }] },
            },
          },
        ],
        prioritizerPolicy: {
          mode: 'Additive',
          configurations: [
            { scoreCoordinate: { type: 'BuiltIn', builtIn: 'Steady' }, weight: 3 },
            { scoreCoordinate: { type: 'BuiltIn', builtIn: 'ResourceAllocatableCPU' }, weight: 2 },
            { scoreCoordinate: { type: 'AddOn', addOn: { resourceName: 'usage', scoreName: 'cpuratio' } }, weight: -1 },
          ],
        },
      },
    });
  });

  test('no flags: an empty spec in namespace default (every bound set, every cluster)', () => {
    expect(placementOptions('all', {})).toMatchObject({ namespace: 'default', spec: {} });
  });

  test('each --cel-selector is one expression (commas kept), in the same predicate as the label selector', () => {
    const o = placementOptions('p', { labelSelectors: 'env=prod', celSelector: ['managedCluster.metadata.name in ["a", "b"]', 'true'] });
    expect(o.spec.predicates).toEqual([
      { requiredClusterSelector: { labelSelector: { matchLabels: { env: 'prod' } }, celSelector: { celExpressions: ['managedCluster.metadata.name in ["a", "b"]', 'true'] } } },
    ]);
  });

  test('a --cel-selector that does not compile is a usage error with its position; one that compiles passes', () => {
    const bad = placementOptions('p', { celSelector: ['true', 'managedCluster.metadata.name.isBigger(1)'] });
    expect(() => checkCelSelectors(bad)).toThrow(UsageError);
    expect(() => checkCelSelectors(bad)).toThrow(`--cel-selector "managedCluster.metadata.name.isBigger(1)" does not compile: 1:29: undeclared reference to function 'isBigger'`);
    expect(() => checkCelSelectors(placementOptions('p', { celSelector: ['semver(managedCluster.status.version.kubernetes, true).isGreaterThan(semver("1.30.0"))'] }))).not.toThrow();
  });

  test.each([
    ['Bad_Name', {}, 'placement name "Bad_Name"'],
    ['p', { namespace: 'No' }, '--namespace "No"'],
    ['p', { clustersets: ',' }, '--clustersets names no cluster set'],
    ['p', { labelSelectors: 'a=b=c' }, '--label-selectors: "b=c" is not a valid label value'],
    ['p', { labelSelectors: '!a=b' }, 'is not key=value'],
    ['p', { claimSelectors: '' }, '--claim-selectors needs at least one requirement'],
    ['p', { prioritizers: 'Fastest:1' }, 'unknown built-in prioritizer "Fastest"'],
    ['p', { prioritizers: 'Steady:11' }, 'from -10 to 10'],
    ['p', { prioritizers: 'AddOn:x:1' }, 'AddOn:RESOURCE:SCORE:WEIGHT'],
    ['p', { count: '-1' }, '--count "-1"'],
    ['p', { count: '1', numClusters: '2' }, 'give one'],
    ['p', { output: 'xml' }, 'unknown output format'],
    ['p', { celSelector: ['true', ' '] }, '--cel-selector needs a CEL expression'],
  ])('%s %j → usage error', (name, flags, message) => {
    expect(() => placementOptions(name, flags)).toThrow(UsageError);
    expect(() => placementOptions(name, flags)).toThrow(message);
  });
});
