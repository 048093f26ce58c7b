import path from 'node:path';
import type { ClusterPki } from './pki.js';

/** Command lines of the three components of a local control plane (loopback only). */

export const SERVICE_CIDR = '10.0.0.0/24';
export const SA_ISSUER = 'https://kubernetes.default.svc';

/**
 * kube-controller-manager runs only what OCM and the tests rely on, to keep 2-core machines
 * responsive: CSR signing/approval/cleanup, namespace deletion, garbage collection, service
 * accounts and their tokens, bootstrap tokens (signer + cleaner), RBAC aggregation, root CA
 * publishing, Deployments/ReplicaSets (Pods stay unscheduled: there is no scheduler or kubelet)
 * and ValidatingAdmissionPolicy status.
 */
export const CONTROLLERS = [
  'certificatesigningrequest-signing-controller',
  'certificatesigningrequest-approving-controller',
  'certificatesigningrequest-cleaner-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'legacy-serviceaccount-token-cleaner-controller',
  'bootstrap-signer-controller',
  'token-cleaner-controller',
  'clusterrole-aggregation-controller',
  'root-ca-certificate-publisher-controller',
  'deployment-controller',
  'replicaset-controller',
  'validatingadmissionpolicy-status-controller',
];

export function etcdArgs(o: { name: string; dataDir: string; clientPort: number; peerPort: number }): string[] {
  const client = `http://127.0.0.1:${o.clientPort}`;
  const peer = `http://127.0.0.1:${o.peerPort}`;
  return [
    `--name=${o.name}`,
    `--data-dir=${o.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${o.name}=${peer}`,
    '--initial-cluster-state=new',
    // Throwaway data: no fsync, a small quota, compaction so long test runs stay small.
    '--unsafe-no-fsync',
    '--quota-backend-bytes=536870912',
    '--auto-compaction-mode=periodic',
    '--auto-compaction-retention=5m',
    '--log-level=warn',
  ];
}

/** Extra controllers of a cluster with real nodes: Node health, Service endpoints, orphaned pods, Jobs (add-on pre-delete hooks). */
export const NODE_CONTROLLERS = ['node-lifecycle-controller', 'endpoints-controller', 'endpointslice-controller', 'pod-garbage-collector-controller', 'job-controller'];

/** A cluster with a node: the apiserver advertises the node's view of itself and calls kubelets with a client certificate. */
export interface ApiserverNodeFlags {
  nodeIp: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
}

export function apiserverArgs(o: { pki: ClusterPki; etcdPort: number; port: number; dir: string; node?: ApiserverNodeFlags }): string[] {
  const f = o.pki.files;
  const advertise = o.node
    ? [
        // Pods reach <nodeIP>:<port> (a relay to 127.0.0.1 in the node's namespace): that is the kubernetes Service's endpoint.
        `--advertise-address=${o.node.nodeIp}`,
        '--endpoint-reconciler-type=lease',
        `--kubelet-client-certificate=${o.node.kubeletClientCert}`,
        `--kubelet-client-key=${o.node.kubeletClientKey}`,
        '--kubelet-preferred-address-types=InternalIP',
      ]
    : [
        '--advertise-address=127.0.0.1',
        // A loopback advertise address cannot be reconciled into the kubernetes Service endpoints.
        '--endpoint-reconciler-type=none',
      ];
  return [
    `--etcd-servers=http://127.0.0.1:${o.etcdPort}`,
    '--etcd-prefix=/registry',
    '--bind-address=127.0.0.1',
    `--secure-port=${o.port}`,
    ...advertise,
    `--cert-dir=${path.join(o.dir, 'apiserver-certs')}`,
    `--tls-cert-file=${f.apiserverCert}`,
    `--tls-private-key-file=${f.apiserverKey}`,
    `--client-ca-file=${f.caCert}`,
    `--service-account-issuer=${SA_ISSUER}`,
    `--service-account-key-file=${f.saPub}`,
    `--service-account-signing-key-file=${f.saKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--authorization-mode=Node,RBAC',
    '--enable-bootstrap-token-auth=true',
    '--allow-privileged=true',
    // Lean: no API priority and fairness bookkeeping, no profiling endpoints.
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--v=1',
  ];
}

export function controllerManagerArgs(o: { pki: ClusterPki; kubeconfig: string; signingDurationSeconds: number; nodes?: boolean }): string[] {
  const f = o.pki.files;
  const controllers = o.nodes ? [...CONTROLLERS, ...NODE_CONTROLLERS] : CONTROLLERS;
  // A stopped kubelet marks its Node NotReady after this (default 50 s): quick enough for tests.
  const nodeFlags = o.nodes ? ['--node-monitor-grace-period=20s', '--node-monitor-period=2s'] : [];
  return [
    `--kubeconfig=${o.kubeconfig}`,
    // No serving endpoint: readiness is observed through the API (the default ServiceAccount).
    '--secure-port=0',
    '--leader-elect=false',
    `--cluster-signing-cert-file=${f.caCert}`,
    `--cluster-signing-key-file=${f.caKey}`,
    `--cluster-signing-duration=${o.signingDurationSeconds}s`,
    `--root-ca-file=${f.caCert}`,
    `--service-account-private-key-file=${f.saKey}`,
    '--use-service-account-credentials=true',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    `--controllers=${controllers.join(',')}`,
    ...nodeFlags,
    '--profiling=false',
    '--v=1',
  ];
}
