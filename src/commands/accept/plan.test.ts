/** accept's decisions on real PKCS#10 requests (ECDSA P-256, made as the agent makes them). */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { ManagedCluster } from '../../api/index.js';
import { IDENTITY, LABEL, RBAC, SIGNER } from '../../api/names.js';
import { generateKeyAndRequest } from '../../runtime/klusterlet/csr.js';
import { withApproval, type CertificateSigningRequest } from '../../kube/certificates.js';
import { isBootstrapIdentity, viewCsr } from '../../api/csr.js';
import { planAccept, type PlanInput } from './plan.js';

type Who = { username: string; groups: string[] };
const SA_USER: Who = { username: IDENTITY.bootstrapSaUser, groups: [IDENTITY.bootstrapSaGroup, 'system:serviceaccounts', 'system:authenticated'] };
const TOKEN_USER: Who = { username: 'system:bootstrap:ocmhub', groups: [RBAC.bootstrapTokenGroup, 'system:bootstrappers', 'system:authenticated'] };
const OTHER_USER: Who = { username: 'system:serviceaccount:default:someone', groups: ['system:serviceaccounts:default', 'system:authenticated'] };

let n = 0;
function csrFor(cluster: string, pem: string, who: { username: string; groups: string[] }, state?: 'Approved' | 'Denied', extra: Partial<CertificateSigningRequest['metadata']> = {}): CertificateSigningRequest {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: `${cluster}-${(n++).toString(36)}`, labels: { [LABEL.clusterName]: cluster }, creationTimestamp: '2026-11-23T10:00:00Z', ...extra },
    spec: { request: Buffer.from(pem).toString('base64'), signerName: SIGNER.kubeApiserverClient, usages: ['digital signature', 'key encipherment', 'client auth'], ...who },
    status: state ? { conditions: [{ type: state, status: 'True' }] } : {},
  };
}

async function agentCsr(cluster: string, agent: string, who = SA_USER, state?: 'Approved' | 'Denied'): Promise<CertificateSigningRequest> {
  return csrFor(cluster, (await generateKeyAndRequest(cluster, agent)).csrPem, who, state);
}

/** A request with an arbitrary subject (to test the subject rules). */
async function customCsr(cluster: string, name: x509.JsonName, who = SA_USER): Promise<CertificateSigningRequest> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const req = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: alg });
  return csrFor(cluster, req.toString('pem'), who);
}

const mc = (name: string, accepted = false): ManagedCluster => ({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name }, spec: { hubAcceptsClient: accepted } }) as ManagedCluster;
const input = (p: Partial<PlanInput>): PlanInput => ({ cluster: 'c1', mc: mc('c1'), csrs: [], skipApproveCheck: false, requesters: [], ...p });

describe('bootstrap identities', () => {
  test('the bootstrap ServiceAccount with its namespace group, or a bootstrap token of the managed-cluster group', () => {
    expect(isBootstrapIdentity(SA_USER.username, SA_USER.groups)).toBe(true);
    expect(isBootstrapIdentity(TOKEN_USER.username, TOKEN_USER.groups)).toBe(true);
  });

  test('anything else, or the right user without its group, is not', () => {
    expect(isBootstrapIdentity(OTHER_USER.username, OTHER_USER.groups)).toBe(false);
    expect(isBootstrapIdentity(SA_USER.username, ['system:authenticated'])).toBe(false);
    expect(isBootstrapIdentity(TOKEN_USER.username, ['system:bootstrappers'])).toBe(false);
    expect(isBootstrapIdentity('system:serviceaccount:open-cluster-management:other', [IDENTITY.bootstrapSaGroup])).toBe(false);
    expect(isBootstrapIdentity(undefined, undefined)).toBe(false);
  });
});

describe('viewCsr', () => {
  test('reads the agent from the CN of a real agent request', async () => {
    const v = viewCsr(await agentCsr('c1', 'x7k2p'), 'c1');
    expect(v).toMatchObject({ state: 'pending', bootstrap: true, agent: 'x7k2p', commonName: 'system:open-cluster-management:c1:x7k2p' });
    expect(v.invalid).toBeUndefined();
  });

  test('a request naming another cluster is invalid for this one', async () => {
    const csr = await agentCsr('c2', 'a');
    csr.metadata!.labels![LABEL.clusterName] = 'c1';
    expect(viewCsr(csr, 'c1').invalid).toMatch(/common name system:open-cluster-management:c2:a/);
  });

  test('an extra organization (e.g. system:masters) makes it invalid', async () => {
    const csr = await customCsr('c1', [{ O: ['system:open-cluster-management:c1', 'system:masters'] }, { CN: ['system:open-cluster-management:c1:a'] }]);
    expect(viewCsr(csr, 'c1').invalid).toMatch(/organizations .*system:masters/);
  });

  test('another signer, an add-on label or a non-PEM request is invalid', async () => {
    const a = await agentCsr('c1', 'a');
    a.spec.signerName = 'example.com/other';
    expect(viewCsr(a, 'c1').invalid).toMatch(/signer/);
    const b = await agentCsr('c1', 'a');
    b.metadata!.labels![LABEL.addonName] = 'x';
    expect(viewCsr(b, 'c1').invalid).toMatch(/add-on/);
    const c = await agentCsr('c1', 'a');
    c.spec.request = Buffer.from('junk').toString('base64');
    expect(viewCsr(c, 'c1').invalid).toMatch(/unreadable request/);
  });

  test('state: Denied wins over Approved', async () => {
    const csr = await agentCsr('c1', 'a', SA_USER, 'Approved');
    expect(viewCsr(csr, 'c1').state).toBe('approved');
    csr.status!.conditions!.push({ type: 'Denied', status: 'True' });
    expect(viewCsr(csr, 'c1').state).toBe('denied');
  });

  test('withApproval appends an Approved condition and keeps the object whole', async () => {
    const csr = await agentCsr('c1', 'a');
    const out = withApproval(csr, 'ApprovedByOcmadmAccept', 'm', new Date('2026-11-23T10:00:00.123Z'));
    expect(out.status?.conditions).toEqual([{ type: 'Approved', status: 'True', reason: 'ApprovedByOcmadmAccept', message: 'm', lastUpdateTime: '2026-11-23T10:00:00Z' }]);
    expect(out.spec).toBe(csr.spec);
  });
});

describe('planAccept', () => {
  test('no ManagedCluster: refuse, say how to register', () => {
    const p = planAccept(input({ mc: undefined }));
    expect(p).toMatchObject({ kind: 'refuse', reason: 'no-such-cluster' });
    expect(p.kind === 'refuse' && p.message).toMatch(/no ManagedCluster c1 on this hub: run `ocmadm join --cluster-name c1`/);
  });

  test('one pending CSR from the bootstrap SA: approve it and set hubAcceptsClient', async () => {
    const csr = await agentCsr('c1', 'a1');
    const p = planAccept(input({ csrs: [csr] }));
    expect(p).toMatchObject({ kind: 'accept', patch: true, approve: [{ name: csr.metadata!.name }], requester: `agent a1 (${SA_USER.username})` });
  });

  test('bootstrap-token requesters count too; several CSRs of the same agent are one requester', async () => {
    const a = await agentCsr('c1', 'a1', TOKEN_USER);
    const b = await agentCsr('c1', 'a1', TOKEN_USER);
    const p = planAccept(input({ csrs: [a, b] }));
    expect(p.kind).toBe('accept');
    expect(p.kind === 'accept' && p.approve.map((v) => v.name)).toEqual([a.metadata!.name, b.metadata!.name]);
  });

  test('two agents compete: refuse and name both', async () => {
    const p = planAccept(input({ csrs: [await agentCsr('c1', 'aaaaa'), await agentCsr('c1', 'bbbbb', TOKEN_USER)] }));
    expect(p).toMatchObject({ kind: 'refuse', reason: 'competing-requesters' });
    expect(p.kind === 'refuse' && p.message).toMatch(/2 agents compete for the name c1: agent aaaaa .*, agent bbbbb \(system:bootstrap:ocmhub\); pick one with --requesters/);
  });

  test('--requesters picks one of the competitors (by agent ID, CN or username)', async () => {
    const a = await agentCsr('c1', 'aaaaa');
    const b = await agentCsr('c1', 'bbbbb', TOKEN_USER);
    for (const r of ['bbbbb', 'system:open-cluster-management:c1:bbbbb', 'system:bootstrap:ocmhub']) {
      const p = planAccept(input({ csrs: [a, b], requesters: [r] }));
      expect(p.kind === 'accept' && p.approve.map((v) => v.name)).toEqual([b.metadata!.name]);
    }
  });

  test('--requesters that matches nobody: requester mismatch', async () => {
    const p = planAccept(input({ csrs: [await agentCsr('c1', 'aaaaa')], requesters: ['zzzzz'] }));
    expect(p).toMatchObject({ kind: 'refuse', reason: 'requester-mismatch' });
    expect(p.kind === 'refuse' && p.message).toMatch(/come from agent aaaaa .*none matches --requesters zzzzz/);
  });

  test('a requester that is not a bootstrap identity is ignored unless --skip-approve-check', async () => {
    const csr = await agentCsr('c1', 'a1', OTHER_USER);
    const p = planAccept(input({ csrs: [csr] }));
    expect(p).toMatchObject({ kind: 'refuse', reason: 'no-pending-csr' });
    expect(p.kind === 'refuse' && p.message).toMatch(/not a bootstrap identity; --skip-approve-check accepts it/);
    expect(planAccept(input({ csrs: [csr], skipApproveCheck: true }))).toMatchObject({ kind: 'accept', patch: true });
  });

  test('--skip-approve-check never approves a CSR whose subject is not the agent\'s', async () => {
    const csr = await customCsr('c1', [{ O: ['system:masters'] }, { CN: ['system:open-cluster-management:c1:a'] }]);
    expect(planAccept(input({ csrs: [csr], skipApproveCheck: true }))).toMatchObject({ kind: 'refuse', reason: 'no-pending-csr' });
  });

  test('already accepted and no pending CSR (it may have been garbage-collected): already accepted', () => {
    expect(planAccept(input({ mc: mc('c1', true), csrs: [] }))).toEqual({ kind: 'already-accepted', cluster: 'c1', note: undefined });
  });

  test('already accepted with a new pending CSR (a re-joined agent): approve it, no patch', async () => {
    const p = planAccept(input({ mc: mc('c1', true), csrs: [await agentCsr('c1', 'old', SA_USER, 'Approved'), await agentCsr('c1', 'new')] }));
    expect(p).toMatchObject({ kind: 'accept', patch: false, approve: [{ agent: 'new' }] });
  });

  test('approved earlier but hubAcceptsClient never set: finish with the patch only', async () => {
    const p = planAccept(input({ csrs: [await agentCsr('c1', 'a', SA_USER, 'Approved')] }));
    expect(p).toMatchObject({ kind: 'accept', patch: true, approve: [], alreadyApproved: [{ agent: 'a' }] });
  });

  test('only a denied CSR: refuse and say how to get a new one', async () => {
    const p = planAccept(input({ csrs: [await agentCsr('c1', 'a', SA_USER, 'Denied')] }));
    expect(p).toMatchObject({ kind: 'refuse', reason: 'denied' });
  });

  test('nothing at all: no pending CSR, with a hint', () => {
    const p = planAccept(input({}));
    expect(p.kind === 'refuse' && p.message).toMatch(/no pending CSR from a bootstrap identity for c1; is the agent running/);
  });
});
