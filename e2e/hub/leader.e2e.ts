/**
 * Two hub controller replicas on the real hub: one leads (Lease `ocmadm-hub-controller`), only the
 * leader reconciles, both answer health probes, and SIGTERM releases the lease so the standby
 * takes over at once instead of after the lease duration.
 */
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import {
  LEASES,
  NAMESPACES,
  applyHubCrds,
  clusterRef,
  conditionOf,
  createCluster,
  forceDelete,
  hubEnv,
  probe,
  setAccepted,
  startHubProcess,
  unique,
  until,
  waitForProbe,
  type HubProcess,
} from './support.js';
import type { Lease } from '../../src/kube/core.js';


let client: KubeClient;
let kubeconfigFile: string;
const procs: HubProcess[] = [];
const clusters: string[] = [];

beforeAll(async () => {
  const env = await hubEnv();
  client = env.client;
  kubeconfigFile = env.kubeconfigFile;
  await applyHubCrds(client);
});

afterAll(async () => {
  for (const p of procs) await p.stop();
  for (const c of clusters) await forceDelete(client, clusterRef(c));
  await client?.close();
});

async function acceptAndWait(): Promise<string> {
  const c = unique('ha');
  clusters.push(c);
  await createCluster(client, c);
  await setAccepted(client, c, true);
  await until(client, clusterRef(c), (o) => conditionOf(o, 'HubAcceptedManagedCluster')?.status === 'True', `${c} accepted`);
  return c;
}

const acceptedBy = (p: HubProcess, c: string) => p.logs.some((l) => l.msg === 'cluster accepted' && l.cluster === c);

test('two replicas: one leader reconciles, SIGTERM hands over at once', async () => {
  const ns = unique('hubctl');
  await client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const a = await startHubProcess({ kubeconfigFile, namespace: ns, id: `${ns}-a` });
  procs.push(a);
  const b = await startHubProcess({ kubeconfigFile, namespace: ns, id: `${ns}-b` });
  procs.push(b);
  const leaseRef = { ...LEASES, namespace: ns, name: 'ocmadm-hub-controller' };
  const lease = await until<Lease>(client, leaseRef, (o) => !!o?.spec?.holderIdentity, 'leader lease held');
  const [leader, standby] = lease!.spec!.holderIdentity === a.id ? [a, b] : [b, a];
  expect([a.id, b.id]).toContain(lease!.spec!.holderIdentity);

  // Both are alive and ready (the standby is ready to take over).
  for (const p of [leader, standby]) {
    await waitForProbe(p.healthPort, 'readyz', 200);
    expect(await probe(p.healthPort, 'healthz')).toBe(200);
  }

  const c1 = await acceptAndWait();
  await leader.waitForLog((l) => l.msg === 'cluster accepted' && l.cluster === c1);
  expect(acceptedBy(standby, c1)).toBe(false);

  // Graceful stop: the lease is released and the standby leads well before it would expire.
  const stoppedAt = Date.now();
  expect(await leader.stop()).toBe(0);
  const next = await until<Lease>(client, leaseRef, (o) => o?.spec?.holderIdentity === standby.id, 'standby took the lease');
  const takeoverMs = Date.now() - stoppedAt;
  process.stderr.write(`leader handover after SIGTERM: ${takeoverMs} ms (lease duration ${next!.spec!.leaseDurationSeconds} s)\n`);
  expect(takeoverMs).toBeLessThan((next!.spec!.leaseDurationSeconds ?? 15) * 1000);

  const c2 = await acceptAndWait();
  await standby.waitForLog((l) => l.msg === 'cluster accepted' && l.cluster === c2);
  expect(acceptedBy(leader, c2)).toBe(false);
  // No controller of this test may outlive it: the next one counts whose logs say what.
  expect(await standby.stop()).toBe(0);
  await client.delete(resourcePath({ ...NAMESPACES, name: ns }));
});

test('in-process: startHubController serves health, leads, and releases the lease on stop()', async () => {
  const { startHubController } = await import('../../src/runtime/hub/main.js');
  const { createLogger } = await import('../../src/runtime/core/log.js');
  const ns = unique('hubctl');
  await client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const lines: string[] = [];
  const log = createLogger({ level: 'info', component: 'hub-controller', stream: { write: (l: string) => lines.push(l) } });
  const h = await startHubController({ kubeConfig: client.kc, namespace: ns, identity: `${ns}-inproc`, healthPort: 0, healthBind: '127.0.0.1', log });
  try {
    await waitForProbe(h.healthPort, 'readyz', 200);
    const leaseRef = { ...LEASES, namespace: ns, name: 'ocmadm-hub-controller' };
    await until<Lease>(client, leaseRef, (o) => o?.spec?.holderIdentity === h.identity, 'in-process leader');
    expect(h.isLeader).toBe(true);
    const c = await acceptAndWait();
    await h.stop();
    expect(await h.done).toBe('stopped');
    // Logged after the status write the test saw; stop() waited for that reconcile to finish.
    expect(lines.some((l) => l.includes('"cluster accepted"') && l.includes(c))).toBe(true);
    const released = await client.get<Lease>(resourcePath(leaseRef));
    expect(released.spec?.holderIdentity ?? '').toBe('');
    await expect(probe(h.healthPort, 'healthz')).rejects.toThrow();
  } finally {
    await h.stop();
    await client.delete(resourcePath({ ...NAMESPACES, name: ns }));
  }
});
