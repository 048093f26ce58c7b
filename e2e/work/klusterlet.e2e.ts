/**
 * The work agent inside the klusterlet (main.ts AGENTS): it starts on the registration agent's
 * first hub identity and applies works with that certificate; stop() ends it with the rest.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { createLogger } from '../../src/runtime/core/log.js';
import { startKlusterlet, type KlusterletHandle } from '../../src/runtime/klusterlet/main.js';
import { adminClient, adminKubeConfig, loadClusters, uniqueName } from '../support/clusters.js';
import { CSRS } from '../hub/identities.js';
import { NAMESPACES, clusterRef, forceDelete } from '../hub/support.js';
import { applyBootstrapRbac, applyCrds, approveCsr, bootstrapKubeconfigYaml, bootstrapToken, clusterCsrs, deleteIfExists, firstCsr, prepareSpoke } from '../klusterlet/support.js';
import { Cleanup, appliedAt, configMap, createWork, getApplied, grantCluster, waitWork } from './support.js';

const { hub, spoke2 } = loadClusters();
let hubAdmin: KubeClient;
let spokeAdmin: KubeClient;
let klusterlet: KlusterletHandle | undefined;
const cleanup = new Cleanup();

beforeAll(async () => {
  hubAdmin = await adminClient(hub);
  spokeAdmin = await adminClient(spoke2);
  await applyCrds(hubAdmin, 'hub');
  await applyCrds(spokeAdmin, 'spoke');
  await applyBootstrapRbac(hubAdmin);
});

afterAll(async () => {
  await klusterlet?.stop();
  await cleanup.run();
  await hubAdmin?.close();
  await spokeAdmin?.close();
});

test('the klusterlet runs the work agent with the registration agent\'s certificate', async () => {
  const cluster = uniqueName('kl-work');
  const ns = uniqueName('agent');
  await prepareSpoke(spokeAdmin, ns, bootstrapKubeconfigYaml(hub, await bootstrapToken(hubAdmin)));
  cleanup.add(() => spokeAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  cleanup.add(() => forceDelete(hubAdmin, clusterRef(cluster)));
  cleanup.add(async () => {
    for (const c of await clusterCsrs(hubAdmin, cluster)) await deleteIfExists(hubAdmin, resourcePath({ ...CSRS, name: c.metadata!.name! }));
  });
  const dir = process.env.OCMADM_E2E_LOG_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'work-e2e-'));
  fs.mkdirSync(dir, { recursive: true });
  const log = createLogger({ component: 'klusterlet', level: 'debug', stream: fs.createWriteStream(path.join(dir, `klusterlet-${cluster}.log`)) });
  klusterlet = await startKlusterlet({ kubeConfig: adminKubeConfig(spoke2), clusterName: cluster, agentNamespace: ns, healthPort: 0, healthBind: '127.0.0.1', log });

  // What accept does for work (the hub controller is not running here): the grant, and the CSR approval.
  await grantCluster(hubAdmin, cluster, cleanup);
  await approveCsr(hubAdmin, (await firstCsr(hubAdmin, cluster)).metadata!.name!);

  const target = uniqueName('wkl');
  cleanup.add(() => spokeAdmin.delete(resourcePath({ ...NAMESPACES, name: target })));
  await createWork(hubAdmin, cluster, 'via-klusterlet', { workload: { manifests: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: target } }, configMap(target, 'c')] } }, cleanup);
  await waitWork(hubAdmin, cluster, 'via-klusterlet', (w) => appliedAt(w, true), 'applied by the klusterlet', 90_000);
  const amw = await getApplied(spokeAdmin, 'via-klusterlet');
  expect(amw.spec!.agentID).toBe(klusterlet.registration.agentId);
  expect((await spokeAdmin.get(`/api/v1/namespaces/${target}/configmaps/c`)).metadata!.ownerReferences![0]!.uid).toBe(amw.metadata.uid);

  await klusterlet.stop();
  klusterlet = undefined;
});
