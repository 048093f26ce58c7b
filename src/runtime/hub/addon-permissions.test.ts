import { ADDON } from '../../api/names.js';
import { bindingSubjects } from './addon-permissions.js';

const subject = { user: ADDON.user('c1', 'a', ADDON.agentName('a')), groups: [...ADDON.groups('c1', 'a'), 'system:authenticated'] };
const names = (s: { kind: string; name: string }[]) => s.map((x) => `${x.kind}:${x.name}`);

describe('who an add-on permission binding names', () => {
  test("CurrentCluster: this cluster's agent only, never the add-on-wide group (another cluster's agent is in it)", () => {
    expect(names(bindingSubjects(subject, 'c1', 'a', true))).toEqual([
      'User:system:open-cluster-management:cluster:c1:addon:a:agent:a-agent',
      'Group:system:open-cluster-management:cluster:c1:addon:a',
    ]);
  });
  test('SingleNamespace: shared by every cluster of the add-on, so the add-on-wide group too; never system:authenticated', () => {
    expect(names(bindingSubjects(subject, 'c1', 'a', false))).toEqual([
      'User:system:open-cluster-management:cluster:c1:addon:a:agent:a-agent',
      'Group:system:open-cluster-management:cluster:c1:addon:a',
      'Group:system:open-cluster-management:addon:a',
    ]);
  });
});
