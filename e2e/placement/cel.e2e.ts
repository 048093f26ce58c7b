/**
 * Placement celSelector on the real hub controller: expressions over `managedCluster` (labels,
 * claims) choose the clusters and follow label changes by watch; `managedCluster.scores(name)`
 * reads AddOnPlacementScores and follows their updates; an expression that does not compile makes
 * the Placement misconfigured, naming the expression and the position.
 */
import { resourcePath } from '../../src/kube/resources.js';
import { isAlreadyExists } from '../../src/kube/errors.js';
import { ADDON_PLACEMENT_SCORES, TYPE } from '../../src/api/index.js';
import { unique, until } from '../hub/support.js';
import { addCluster, conditionOf, createPlacement, decisionUntil, placementRef, setLabels, startWorld, stopWorld, type World } from './support.js';

let w: World;

beforeAll(async () => {
  w = await startWorld('pcel');
});
afterAll(() => stopWorld(w));

const PLATFORM = 'platform.open-cluster-management.io';

test('labels and claims through CEL; a label change moves the decision', async () => {
  const id = unique('cel');
  const [a, b, c] = [`${id}-a`, `${id}-b`, `${id}-c`];
  await addCluster(w, a, { labels: { [id]: 'x', tier: 'gold' }, claims: { [PLATFORM]: 'AWS' } });
  await addCluster(w, b, { labels: { [id]: 'x', tier: 'silver' }, claims: { [PLATFORM]: 'AWS' } });
  await addCluster(w, c, { labels: { [id]: 'x', tier: 'gold' }, claims: { [PLATFORM]: 'GCP' } });
  await createPlacement(w, 'gold-aws', {
    predicates: [
      {
        requiredClusterSelector: {
          celSelector: {
            celExpressions: [
              `managedCluster.metadata.labels["${id}"] == "x"`,
              'managedCluster.metadata.labels["tier"] in ["gold", "platinum"]',
              `managedCluster.status.clusterClaims.exists(c, c.name == "${PLATFORM}" && c.value.lowerAscii() == "aws")`,
            ],
          },
        },
      },
    ],
  });
  await decisionUntil(w, 'gold-aws-decision-1', [a]);
  await setLabels(w, b, { tier: 'platinum' });
  await decisionUntil(w, 'gold-aws-decision-1', [a, b]);
});

test('managedCluster.scores(name) reads the AddOnPlacementScore of each cluster and follows its updates', async () => {
  const id = unique('score');
  const [a, b] = [`${id}-a`, `${id}-b`];
  for (const n of [a, b]) await addCluster(w, n, { labels: { [id]: 'x' }, namespace: true });
  const setScore = async (cluster: string, value: number) => {
    await w.client.create(resourcePath({ ...ADDON_PLACEMENT_SCORES, namespace: cluster }), { ...TYPE.addOnPlacementScore, metadata: { name: 'usage', namespace: cluster } }).catch((e: unknown) => {
      if (!isAlreadyExists(e)) throw e;
    });
    await w.client.patch(resourcePath({ ...ADDON_PLACEMENT_SCORES, namespace: cluster, name: 'usage', subresource: 'status' }), { status: { scores: [{ name: 'cpuAvailable', value }] } }, 'merge');
  };
  await setScore(a, 80);
  await setScore(b, 10);
  await createPlacement(w, 'roomy', {
    predicates: [{ requiredClusterSelector: { celSelector: { celExpressions: [`managedCluster.metadata.labels["${id}"] == "x"`, 'managedCluster.scores("usage").exists(s, s.name == "cpuAvailable" && s.value >= 50)'] } } }],
  });
  await decisionUntil(w, 'roomy-decision-1', [a]);
  await setScore(b, 60);
  await decisionUntil(w, 'roomy-decision-1', [a, b]);
});

test('an expression that does not compile: PlacementMisconfigured names it and its position', async () => {
  await createPlacement(w, 'bad-cel', { predicates: [{ requiredClusterSelector: { celSelector: { celExpressions: ['true', 'managedCluster.metadata.labels[ == 1'] } } }] });
  const p = await until(w.client, placementRef(w, 'bad-cel'), (o) => conditionOf(o as never, 'PlacementMisconfigured')?.status === 'True', 'misconfigured');
  expect(conditionOf(p as never, 'PlacementMisconfigured')).toMatchObject({
    reason: 'Misconfigured',
    message: 'Predicate:predicates[0].requiredClusterSelector.celSelector.celExpressions[1]: compilation failed: 1:31: found [ but expecting end of input',
  });
});
