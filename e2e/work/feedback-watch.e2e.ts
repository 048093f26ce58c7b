/**
 * `feedbackScrapeType: Watch` against a real spoke: the agent's status sync is set to 30 minutes,
 * so only a watch can bring a change of the live object to the hub during the test. A Pod's
 * status (written by the test, as a kubelet would) reaches the Watch work's feedback, while the
 * same change on a Poll work's Pod waits for the status sync; turning the work back to Poll stops
 * the watch.
 */
import type { KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import type { ManifestWork } from '../../src/api/index.js';
import { COND } from '../../src/api/names.js';
import { uniqueName } from '../support/clusters.js';
import { NAMESPACES } from '../hub/support.js';
import { createWork, manifestCondition, namespace, waitWork, workRef, workSuite } from './support.js';

const s = workSuite({ spoke: 'spoke1', prefix: 'fbw', agent: { statusSyncMs: 30 * 60_000 } });
let ns: string;

beforeAll(async () => {
  ns = uniqueName('wfbw');
  await s.spoke.create(resourcePath(NAMESPACES), namespace(ns));
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
});

const phase = (w: ManifestWork | undefined) => w?.status?.resourceStatus?.manifests?.[0]?.statusFeedback?.values?.find((v) => v.name === 'PodPhase')?.fieldValue.string;
const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } });
const spec = (name: string, scrape: 'Watch' | 'Poll') => ({
  workload: { manifests: [pod(name)] },
  manifestConfigs: [{ resourceIdentifier: { resource: 'pods', namespace: ns, name }, feedbackRules: [{ type: 'WellKnownStatus' as const }], feedbackScrapeType: scrape }],
});
const running = (name: string) => s.spoke.patch(`/api/v1/namespaces/${ns}/pods/${name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'merge');

test('Watch: a change of the live object reaches the feedback at once; Poll waits for the status sync', async () => {
  await createWork(s.hubAdmin, s.mc.name, 'watched', spec('pw', 'Watch'), s.cleanup);
  await createWork(s.hubAdmin, s.mc.name, 'polled', spec('pp', 'Poll'), s.cleanup);
  for (const name of ['watched', 'polled']) {
    const w = await waitWork(s.hubAdmin, s.mc.name, name, (x) => phase(x) === 'Pending', `${name}: first feedback (Pending)`);
    expect(manifestCondition(w, 0, COND.work.feedbackSynced)?.status).toBe('True');
  }
  await s.agent.waitForLog((l) => l.msg === 'feedback watch started' && l.watch === `/v1/pods/${ns}`);
  // The status controller's first pass on each work (queued by the apply pass's write) reads its pod;
  // a pass still pending when the pods change would read the Poll work's new phase legitimately.
  for (const name of ['watched', 'polled']) {
    await s.agent.waitForLog((l) => l.msg === 'reconciled' && l.controller === 'manifestwork-status' && l.object === name && l.requeueAfterMs !== undefined);
  }

  const t0 = Date.now();
  await running('pp');
  await running('pw');
  await waitWork(s.hubAdmin, s.mc.name, 'watched', (w) => phase(w) === 'Running', 'watched: PodPhase Running', 30_000);
  process.stderr.write(`work e2e: spoke change → Watch feedback on the hub: ${Date.now() - t0} ms (status sync 30 min)\n`);
  // The Poll work's pod changed first, yet nothing re-reads it before the 30-minute status sync.
  const polled = await s.hubAdmin.get<ManifestWork>(resourcePath(workRef(s.mc.name, 'polled')));
  expect(phase(polled)).toBe('Pending');
});

test('a work turned back to Poll gives up its watch, which stops when no work needs it', async () => {
  await s.hubAdmin.patch(resourcePath(workRef(s.mc.name, 'watched')), { spec: spec('pw', 'Poll') }, 'merge');
  const stopped = await s.agent.waitForLog((l) => l.msg === 'feedback watch stopped' && l.watch === `/v1/pods/${ns}`);
  expect(stopped).toBeDefined();
});
