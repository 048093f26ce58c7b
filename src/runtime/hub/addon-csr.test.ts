import type { AddOnTemplate } from '../../api/index.js';
import { addonCsrObject, addonKeyAndRequest } from '../klusterlet/addon/credentials.js';
import { qualifyAddonCsr } from './addon-csr.js';
import type { CertificateSigningRequest } from '../../kube/certificates.js';

const tpl = (type: 'KubeClient' | 'CustomSigner' = 'KubeClient'): AddOnTemplate => ({
  apiVersion: 'addon.open-cluster-management.io/v1alpha1',
  kind: 'AddOnTemplate',
  metadata: { name: 't' },
  spec: { addonName: 'demo', agentSpec: {}, registration: [type === 'KubeClient' ? { type } : { type, customSigner: { signerName: 'example.com/s', signingCA: { name: 'ca' } } }] },
});
const user = 'system:open-cluster-management:cluster:c1:addon:demo:agent:demo-agent';
const groups = ['system:open-cluster-management:cluster:c1:addon:demo', 'system:open-cluster-management:addon:demo'];

async function csr(subject: { user: string; groups: string[] }, requester = 'system:open-cluster-management:c1:abcde', labels?: Record<string, string>): Promise<CertificateSigningRequest> {
  const { csrPem } = await addonKeyAndRequest(subject);
  const o = addonCsrObject('c1', 'demo', csrPem) as unknown as CertificateSigningRequest;
  o.spec.username = requester;
  if (labels) o.metadata!.labels = labels;
  return o;
}

describe('qualifyAddonCsr (OCM default add-on CSR approver)', () => {
  const enabled = () => tpl();
  it('approves OCM subject from an agent of the same cluster, with or without system:authenticated', async () => {
    expect(qualifyAddonCsr(await csr({ user, groups }), enabled)).toEqual({ ok: true, cluster: 'c1', addon: 'demo' });
    expect(qualifyAddonCsr(await csr({ user, groups: [...groups, 'system:authenticated'] }), enabled).ok).toBe(true);
  });

  it.each([
    ['another user', { user: user.replace('demo-agent', 'other'), groups }, undefined],
    ['another cluster in the groups', { user, groups: [groups[0]!.replace('c1', 'c2'), groups[1]!] }, undefined],
    ['an extra group', { user, groups: [...groups, 'system:masters'] }, undefined],
    ['a requester of another cluster', { user, groups }, 'system:open-cluster-management:c10:abcde'],
    ['a bootstrap requester', { user, groups }, 'system:serviceaccount:open-cluster-management:agent-registration-bootstrap'],
  ])('refuses %s', async (_what, subject, requester) => {
    expect(qualifyAddonCsr(await csr(subject, requester), enabled).ok).toBe(false);
  });

  it('refuses when the add-on is not enabled or registers no kube client', async () => {
    const c = await csr({ user, groups });
    expect(qualifyAddonCsr(c, () => undefined)).toEqual({ ok: false, why: 'add-on demo is not a template add-on enabled on c1' });
    expect(qualifyAddonCsr(c, () => tpl('CustomSigner'))).toEqual({ ok: false, why: 'the template registers no kube client' });
    expect(qualifyAddonCsr(await csr({ user, groups }, undefined, { 'open-cluster-management.io/cluster-name': 'c1' }), enabled).ok).toBe(false);
  });
});
