/**
 * The work agent inside the klusterlet (main.ts AGENTS): it starts on the registration agent's
 * first hub identity and applies works with that certificate; stop() ends it with the rest.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { resourcePath } from '../../src/kube/resources.js';
import { createLogger } from '../../src/runtime/core/log.js';
import { startKlusterlet, type KlusterletHandle } from '../../src/runtime/klusterlet/main.js';
import { adminKubeConfig, loadClusters, uniqueName } from '../support/clusters.js';
import { CSRS } from '../../src/kube/certificates.js';
import { NAMESPACES, clusterRef, forceDelete } from '../hub/support.js';
import { applyBootstrapRbac, approveCsr, bootstrapKubeconfigYaml, bootstrapToken, clusterCsrs, deleteIfExists, firstCsr, prepareSpoke } from '../klusterlet/support.js';
import { appliedAt, configMap, createWork, getApplied, grantCluster, waitWork, workSuite } from './support.js';

const { hub, spoke2 } = loadClusters();
const s = workSuite({ spoke: 'spoke2', prefix: 'kl', agent: false });
let klusterlet: KlusterletHandle | undefined;

beforeAll(() => applyBootstrapRbac(s.hubAdmin));
afterAll(() => klusterlet?.stop());

test('the klusterlet runs the work agent with the registration agent\'s certificate', async () => {
  const cluster = uniqueName('kl-work');
  const ns = uniqueName('agent');
  await prepareSpoke(s.spoke, ns, bootstrapKubeconfigYaml(hub, await bootstrapToken(s.hubAdmin)));
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  s.cleanup.add(() => forceDelete(s.hubAdmin, clusterRef(cluster)));
  s.cleanup.add(async () => {
    for (const c of await clusterCsrs(s.hubAdmin, cluster)) await deleteIfExists(s.hubAdmin, resourcePath({ ...CSRS, name: c.metadata!.name! }));
  });
  const dir = process.env.OCMADM_E2E_LOG_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'work-e2e-'));
  fs.mkdirSync(dir, { recursive: true });
  const log = createLogger({ component: 'klusterlet', level: 'debug', stream: fs.createWriteStream(path.join(dir, `klusterlet-${cluster}.log`)) });
  klusterlet = await startKlusterlet({ kubeConfig: adminKubeConfig(spoke2), clusterName: cluster, agentNamespace: ns, healthPort: 0, healthBind: '127.0.0.1', log });

  // What accept does for work (the hub controller is not running here): the grant, and the CSR approval.
  await grantCluster(s.hubAdmin, cluster, s.cleanup);
  await approveCsr(s.hubAdmin, (await firstCsr(s.hubAdmin, cluster)).metadata!.name!);

  const target = uniqueName('wkl');
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: target })));
  await createWork(s.hubAdmin, cluster, 'via-klusterlet', { workload: { manifests: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: target } }, configMap(target, 'c')] } }, s.cleanup);
  await waitWork(s.hubAdmin, cluster, 'via-klusterlet', (w) => appliedAt(w, true), 'applied by the klusterlet', 90_000);
  const amw = await getApplied(s.spoke, 'via-klusterlet');
  expect(amw.spec!.agentID).toBe(klusterlet.registration.agentId);
  expect((await s.spoke.get(`/api/v1/namespaces/${target}/configmaps/c`)).metadata!.ownerReferences![0]!.uid).toBe(amw.metadata.uid);

  await klusterlet.stop();
  klusterlet = undefined;
});
