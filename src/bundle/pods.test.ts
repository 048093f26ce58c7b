import { fromTemplate, podTrouble, type Pod } from './pods.js';

const template = {
  metadata: { annotations: { 'ocmadm.io/bundle-sha256': 'new' } },
  spec: { containers: [{ name: 'hub-controller', image: 'reg/node:24' }], imagePullSecrets: [{ name: 'regcred' }] },
};
const pod = (over: { image?: string; sha?: string; secrets?: string[]; deleting?: boolean } = {}): Pod => ({
  metadata: {
    name: 'p',
    annotations: { 'ocmadm.io/bundle-sha256': over.sha ?? 'new', 'kubectl.kubernetes.io/restartedAt': 'x' },
    ...(over.deleting ? { deletionTimestamp: '2026-12-04T17:00:00Z' } : {}),
  },
  spec: { containers: [{ name: 'hub-controller', image: over.image ?? 'reg/node:24' }], imagePullSecrets: (over.secrets ?? ['regcred']).map((name) => ({ name })) },
  status: { containerStatuses: [{ name: 'hub-controller', state: { waiting: { reason: 'ImagePullBackOff' } } }] },
});

describe('fromTemplate: only pods of the Deployment current template are judged by --wait', () => {
  test('a pod of the current template counts, whatever annotations the kubelet or kubectl added', () => {
    expect(fromTemplate(pod(), template)).toBe(true);
    expect(podTrouble(pod())?.reason).toBe('ImagePullBackOff');
  });
  test.each([
    ['another image (the run before, with a wrong --image)', { image: 'reg/typo:24' }],
    ['other pull secrets (the run before, without --image-pull-secret)', { secrets: [] }],
    ['another bundle', { sha: 'old' }],
    ['a pod being deleted', { deleting: true }],
  ])('%s does not count', (_what, over) => {
    expect(fromTemplate(pod(over), template)).toBe(false);
  });
});
