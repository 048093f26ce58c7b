/**
 * What unjoin removes, in order, from an inventory of the spoke (pure). The same list is printed
 * by --dry-run and carried out by run.ts, so a dry run shows exactly what a real run does.
 *
 * Order: stop the agent (so nothing re-applies or re-registers), the applied workloads and their
 * AppliedManifestWorks, the agent's secrets, its ClusterClaims, RBAC and ServiceAccount, its
 * namespace, the CRDs (--purge), the local state directory; the hub's ManagedCluster last.
 */
import type { ResourceRef } from '../../kube/resources.js';
import type { AppliedWorkPlan, ResourceAction } from './applied-works.js';

export type Ref = ResourceRef & { name: string };

export interface Inventory {
  cluster: string;
  spokeServer: string;
  /** Every name this spoke is joined under (agent secret, Deployment, local runtimes). */
  joinedAs: string[];
  /** Local runtime instances of this cluster on this spoke. */
  localInstances: { instance: string; running: boolean; dir: string }[];
  deployment?: Ref;
  works: AppliedWorkPlan[];
  /** AppliedManifestWorks of another hub: not ours to remove. */
  foreignWorks: string[];
  /** Existing objects join made (secrets, RBAC, ServiceAccount), in deletion order. */
  objects: { kind: string; ref: Ref }[];
  /** ClusterClaims labelled as made by ocmadm. */
  claims: Ref[];
  namespace?: Ref;
  crds: Ref[];
  /** Other klusterlets that need the CRDs (other names here, OCM's Klusterlets). */
  otherKlusterlets: string[];
}

export type StepKind = 'agent' | 'applied-resource' | 'applied-work' | 'object' | 'cluster-claim' | 'namespace' | 'crd' | 'local-state';
export type StepAction = 'stop' | 'delete' | 'keep' | Exclude<ResourceAction, 'gone' | 'keep'>;

export interface Step {
  kind: StepKind;
  /** "Secret open-cluster-management-agent/hub-kubeconfig-secret", "local klusterlet pid 123", ... */
  label: string;
  action: StepAction;
  why?: string;
  ref?: Ref;
  uid?: string;
  /** applied-resource: the owning AppliedManifestWork's uid; local-state / agent: the instance. */
  owner?: string;
  instance?: string;
}

export interface PlanOptions {
  purge: boolean;
}

const refLabel = (kind: string, r: Ref) => `${kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

export function planUnjoin(inv: Inventory, opts: PlanOptions): Step[] {
  const steps: Step[] = [];
  for (const l of inv.localInstances) {
    steps.push({ kind: 'agent', label: `local klusterlet ${l.instance}${l.running ? '' : ' (not running)'}`, action: 'stop', instance: l.instance });
  }
  if (inv.deployment) steps.push({ kind: 'agent', label: refLabel('Deployment', inv.deployment), action: 'delete', ref: inv.deployment });
  for (const w of inv.works) {
    for (const r of w.resources) {
      if (r.action === 'gone') continue;
      steps.push({ kind: 'applied-resource', label: r.label, action: r.action, why: r.why, ref: r.ref, uid: r.uid, owner: w.uid });
    }
  }
  for (const w of inv.works) {
    steps.push({ kind: 'applied-work', label: `AppliedManifestWork ${w.name}`, action: 'delete', ref: { group: 'work.open-cluster-management.io', version: 'v1', resource: 'appliedmanifestworks', name: w.name }, uid: w.uid });
  }
  for (const name of inv.foreignWorks) {
    steps.push({ kind: 'applied-work', label: `AppliedManifestWork ${name}`, action: 'keep', why: 'applied for another hub: not this klusterlet\'s' });
  }
  for (const o of inv.objects) steps.push({ kind: 'object', label: refLabel(o.kind, o.ref), action: 'delete', ref: o.ref });
  for (const c of inv.claims) steps.push({ kind: 'cluster-claim', label: refLabel('ClusterClaim', c), action: 'delete', ref: c });
  if (inv.namespace) steps.push({ kind: 'namespace', label: refLabel('Namespace', inv.namespace), action: 'delete', ref: inv.namespace });
  for (const crd of inv.crds) {
    steps.push(crdStep(crd, inv, opts));
  }
  for (const l of inv.localInstances) steps.push({ kind: 'local-state', label: `local state ${l.dir}`, action: 'delete', instance: l.instance });
  return steps;
}

function crdStep(crd: Ref, inv: Inventory, opts: PlanOptions): Step {
  const base = { kind: 'crd' as const, label: refLabel('CustomResourceDefinition', crd), ref: crd };
  if (!opts.purge) return { ...base, action: 'keep', why: 'spoke CRDs stay unless --purge' };
  if (inv.otherKlusterlets.length) return { ...base, action: 'keep', why: `another klusterlet remains (${inv.otherKlusterlets.join(', ')})` };
  if (crd.name.startsWith('appliedmanifestworks.') && inv.foreignWorks.length) return { ...base, action: 'keep', why: 'AppliedManifestWorks of another hub remain' };
  return { ...base, action: 'delete', why: '--purge' };
}

/** A one-line summary for the confirmation prompt: "stop 1 agent, delete 3 workloads, ...". */
export function summarize(steps: Step[]): string {
  const n = (pred: (s: Step) => boolean) => steps.filter(pred).length;
  const parts: [number, string, string][] = [
    [n((s) => s.kind === 'agent'), 'agent', 'agents'],
    [n((s) => s.kind === 'applied-resource' && s.action === 'delete'), 'applied workload', 'applied workloads'],
    [n((s) => s.kind === 'applied-work'), 'AppliedManifestWork', 'AppliedManifestWorks'],
    [n((s) => s.kind === 'object' || s.kind === 'cluster-claim' || s.kind === 'namespace'), 'object', 'objects'],
    [n((s) => s.kind === 'crd'), 'CRD', 'CRDs'],
  ];
  return parts
    .filter(([count]) => count > 0)
    .map(([count, one, many]) => `${count} ${count === 1 ? one : many}`)
    .join(', ');
}
