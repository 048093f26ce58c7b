import { agentSubject, makeKeyAndCsr } from '../../../e2e/hub/csr-kit.js';
import { csrSubject, type CertificateSigningRequest } from '../../kube/certificates.js';
import { approvedCsr, isTerminal, qualifyRenewalCsr, renewalAccessReview } from './csr-approval.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function csrFor(label: string | undefined, cn: string, orgs: string[], over: Partial<CertificateSigningRequest['spec']> = {}) {
  const { csrPem } = await makeKeyAndCsr(cn, orgs);
  const csr: CertificateSigningRequest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'c1-abcde', resourceVersion: '7', labels: label ? { 'open-cluster-management.io/cluster-name': label } : {} },
    spec: {
      request: b64(csrPem),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['digital signature', 'key encipherment', 'client auth'],
      username: cn,
      groups: ['system:authenticated'],
      ...over,
    },
  };
  return csr;
}

describe('renewal CSR qualification', () => {
  const s = agentSubject('c1', 'agent1');

  test('an agent CSR with OCM subject qualifies and names cluster and CN', async () => {
    const q = qualifyRenewalCsr(await csrFor('c1', s.cn, s.orgs));
    expect(q).toEqual({ ok: true, cluster: 'c1', commonName: s.cn });
  });

  test('the managed-clusters group is optional', async () => {
    expect(qualifyRenewalCsr(await csrFor('c1', s.cn, [s.orgs[0]!])).ok).toBe(true);
  });

  test('parses the PEM subject', async () => {
    const csr = await csrFor('c1', s.cn, s.orgs);
    expect(csrSubject(csr.spec.request)).toEqual({ commonName: s.cn, organizations: s.orgs });
  });

  test.each([
    ['no cluster-name label', undefined, s.cn, s.orgs, {}],
    ['another signer', 'c1', s.cn, s.orgs, { signerName: 'example.com/other' }],
    ['label names another cluster', 'c2', s.cn, s.orgs, {}],
    ['an extra organization', 'c1', s.cn, [...s.orgs, 'system:masters'], {}],
    ['no per-cluster organization', 'c1', s.cn, ['system:open-cluster-management:managed-clusters'], {}],
    ['CN of another cluster', 'c1', 'system:open-cluster-management:c2:agent1', s.orgs, {}],
    ['CN without agent', 'c1', 'system:open-cluster-management:c1', s.orgs, {}],
    ['CN with an empty agent', 'c1', 'system:open-cluster-management:c1:', s.orgs, {}],
    ['CN with three parts', 'c1', 'system:open-cluster-management:c1:a:b', s.orgs, {}],
    ['CN without the prefix', 'c1', 'c1:agent1', s.orgs, {}],
  ] as const)('does not qualify: %s', async (_why, label, cn, orgs, over) => {
    const q = qualifyRenewalCsr(await csrFor(label, cn, [...orgs], over));
    expect(q.ok).toBe(false);
  });

  test('a request that is not a PEM CSR does not qualify', async () => {
    const csr = await csrFor('c1', s.cn, s.orgs);
    csr.spec.request = b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(qualifyRenewalCsr(csr)).toMatchObject({ ok: false });
  });

  test('a first-join CSR qualifies by shape, but its requester is the bootstrap identity, not the CN', async () => {
    const csr = await csrFor('c1', s.cn, s.orgs, { username: 'system:serviceaccount:open-cluster-management:agent-registration-bootstrap' });
    const q = qualifyRenewalCsr(csr);
    expect(q.ok && csr.spec.username === q.commonName).toBe(false);
  });

  test('terminal states', async () => {
    const csr = await csrFor('c1', s.cn, s.orgs);
    expect(isTerminal(csr)).toBe(false);
    expect(isTerminal({ ...csr, status: { conditions: [{ type: 'Denied', status: 'True' }] } })).toBe(true);
    expect(isTerminal(approvedCsr(csr, new Date()))).toBe(true);
  });

  test('the SubjectAccessReview copies the requester and asks for renew on clientcertificates', async () => {
    const csr = await csrFor('c1', s.cn, s.orgs, { uid: 'u-1', extra: { scope: ['a'] } });
    expect(renewalAccessReview(csr).spec).toEqual({
      user: s.cn,
      uid: 'u-1',
      groups: ['system:authenticated'],
      extra: { scope: ['a'] },
      resourceAttributes: { group: 'register.open-cluster-management.io', resource: 'managedclusters', subresource: 'clientcertificates', verb: 'renew' },
    });
  });

  test('approval appends the Approved condition with OCM reason and keeps the resourceVersion', async () => {
    const csr = await csrFor('c1', s.cn, s.orgs);
    const out = approvedCsr(csr, new Date('2026-01-02T03:04:05.678Z'));
    expect(out.metadata?.resourceVersion).toBe('7');
    expect(out.status?.conditions).toEqual([
      {
        type: 'Approved',
        status: 'True',
        reason: 'AutoApprovedByHubCSRApprovingController',
        message: 'Auto approving Managed cluster agent certificate after SubjectAccessReview.',
        lastUpdateTime: '2026-01-02T03:04:05Z',
      },
    ]);
  });
});
