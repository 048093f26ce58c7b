import { agentSubject, makeKeyAndCsr } from '../../../e2e/hub/csr-kit.js';
import type { ManagedCluster } from '../../api/index.js';
import { planAutoApproval } from './auto-approval.js';
import type { CertificateSigningRequest } from '../../kube/certificates.js';

const BOOT = 'system:serviceaccount:open-cluster-management:agent-registration-bootstrap';
const users = new Set([BOOT]);

async function csr(name: string, cluster: string, username: string, conditions: { type: string; status: string }[] = []): Promise<CertificateSigningRequest> {
  const s = agentSubject(cluster, 'agent1');
  const { csrPem } = await makeKeyAndCsr(s.cn, s.orgs);
  return {
    metadata: { name, labels: { 'open-cluster-management.io/cluster-name': cluster } },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', username },
    status: { conditions },
  };
}
const cluster = (annotations?: Record<string, string>, accepted = false): ManagedCluster =>
  ({ metadata: { name: 'c1', annotations }, spec: { hubAcceptsClient: accepted } }) as ManagedCluster;

describe('auto-approval plan', () => {
  test('a pending join CSR from a listed identity is approved and its cluster accepted', async () => {
    const c = await csr('a', 'c1', BOOT);
    expect(planAutoApproval('c1', [c], cluster(), users)).toEqual({ approve: [c], accept: true });
  });
  test('an identity not listed: nothing', async () => {
    expect(planAutoApproval('c1', [await csr('a', 'c1', 'system:bootstrap:other')], cluster(), users)).toEqual({ approve: [], accept: false });
  });
  test('accepted once only: with the annotation a later deny stands; the CSR is still approved', async () => {
    const c = await csr('a', 'c1', BOOT);
    expect(planAutoApproval('c1', [c], cluster({ 'open-cluster-management.io/automatically-accepted-on': '2026-01-01T00:00:00Z' }), users)).toEqual({ approve: [c], accept: false });
  });
  test('a CSR an admin denied neither is approved nor accepts the cluster', async () => {
    expect(planAutoApproval('c1', [await csr('a', 'c1', BOOT, [{ type: 'Denied', status: 'True' }])], cluster(), users)).toEqual({ approve: [], accept: false });
  });
  test('an already approved CSR is not approved again but still accepts a cluster that appears later', async () => {
    expect(planAutoApproval('c1', [await csr('a', 'c1', BOOT, [{ type: 'Approved', status: 'True' }])], cluster(), users)).toEqual({ approve: [], accept: true });
    expect(planAutoApproval('c1', [await csr('a', 'c1', BOOT)], undefined, users).accept).toBe(false);
  });
  test('a renewal (username is the CN) is left to the renewal reconciler', async () => {
    const s = agentSubject('c1', 'agent1');
    const listed = new Set([s.cn]);
    expect(planAutoApproval('c1', [await csr('a', 'c1', s.cn)], cluster(), listed)).toEqual({ approve: [], accept: false });
  });
});
