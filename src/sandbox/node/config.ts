import path from 'node:path';
import yaml from 'js-yaml';
import type { NodeSlot } from './slot.js';

/**
 * The configuration files of one node (pure: paths and addresses in, file contents out).
 * Everything a node writes lives under its node directory `dir` (in the cluster directory) or
 * its short run directory (sockets).
 */
export interface NodeLayout {
  /** <cluster dir>/node */
  dir: string;
  slot: NodeSlot;
  nodeName: string;
  /** Port of the API server (127.0.0.1:port on the host, nodeIP:port in the node namespace). */
  apiPort: number;
  /** Port of the local registry, same on both sides; undefined: no registry. */
  registryPort?: number;
  pauseImage: string;
}

export function nodePaths(l: Pick<NodeLayout, 'dir' | 'slot'>) {
  const d = (...p: string[]) => path.join(l.dir, ...p);
  const r = (...p: string[]) => path.join(l.slot.runDir, ...p);
  return {
    containerdConfig: d('containerd.toml'),
    containerdRoot: d('containerd', 'root'),
    containerdState: r('containerd'),
    containerdSocket: r('containerd.sock'),
    runcRoot: r('runc'),
    registryHosts: d('certs.d'),
    cniConfDir: d('cni', 'net.d'),
    cniIpam: d('cni', 'ipam'),
    kubeletRoot: path.join(l.slot.dataDir, 'kubelet'),
    kubeletConfig: d('kubelet.yaml'),
    kubeletKubeconfig: d('kubelet.kubeconfig'),
    podLogs: d('pod-logs'),
    kubeProxyConfig: d('kube-proxy.yaml'),
    kubeProxyKubeconfig: d('kube-proxy.kubeconfig'),
    pki: d('pki'),
    apiSocket: r('api.sock'),
    registrySocket: r('registry.sock'),
    authRegistrySocket: r('auth-registry.sock'),
  };
}

export const CNI_BIN_DIR = '/usr/lib/cni';

/** containerd 1.6 (config version 2), all state private to this node. */
export function containerdToml(l: NodeLayout): string {
  const p = nodePaths(l);
  const q = JSON.stringify;
  return `version = 2
root = ${q(p.containerdRoot)}
state = ${q(p.containerdState)}
# Plugins that would touch shared places (/opt/containerd) or need other kernels' filesystems.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.overlayfs"]

[grpc]
  address = ${q(p.containerdSocket)}

[ttrpc]
  address = ${q(`${p.containerdSocket}.ttrpc`)}

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(l.pauseImage)}
  # The processes here may not lower oom_score_adj (no CAP_SYS_RESOURCE): clamp instead of failing.
  restrict_oom_score_adj = true
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${q(p.runcRoot)}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(CNI_BIN_DIR)}
    conf_dir = ${q(p.cniConfDir)}
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ${q(p.registryHosts)}
`;
}

export function cniConflist(l: NodeLayout): string {
  const p = nodePaths(l);
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: `ocmadm-${l.slot.netns}`,
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: l.slot.podCidr, gateway: l.slot.podGateway }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: p.cniIpam },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfigYaml(l: NodeLayout, caFile: string, serving: { cert: string; key: string }): string {
  const p = nodePaths(l);
  return yaml.dump({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // cgroup v1 hosts (this machine kind): allowed explicitly since kubelet 1.31.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    // Its own cgroup subtree: two kubelets on one machine never see (or clean up) each other's pods.
    cgroupRoot: `/${l.slot.netns}`,
    containerRuntimeEndpoint: `unix://${p.containerdSocket}`,
    address: l.slot.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    tlsCertFile: serving.cert,
    tlsPrivateKeyFile: serving.key,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: caFile } },
    authorization: { mode: 'Webhook' },
    podLogsDir: p.podLogs,
    // No cluster DNS here, and the host's resolv.conf would point pods off the machine.
    resolvConf: '',
    failSwapOn: false,
    serializeImagePulls: false,
    // Images are pulled from the local registry once; keep them (disk pressure is not a test subject).
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'nodefs.inodesFree': '1%', 'imagefs.available': '1%' },
    maxPods: 110,
    registerNode: true,
  });
}

export function kubeProxyConfigYaml(l: NodeLayout): string {
  const p = nodePaths(l);
  return yaml.dump({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: p.kubeProxyKubeconfig },
    mode: 'iptables',
    clusterCIDR: l.slot.podCidr,
    hostnameOverride: l.nodeName,
    bindAddress: l.slot.nodeIp,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    // Service traffic is masqueraded, so replies from a pod on the same bridge come back through the rules.
    iptables: { masqueradeAll: true, localhostNodePorts: false },
    // 0: leave conntrack limits and timeouts as they are (some are machine-wide).
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}
