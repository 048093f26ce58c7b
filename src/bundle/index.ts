/**
 * The runtimes as ocmadm ships them: one gzipped, minified ESM file per runtime, made at build
 * time by scripts/build-runtimes.mjs into dist/bundles/, installed in a ConfigMap's binaryData and
 * run on a stock Node.js image by a short loader that checks the bundle's sha256 first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli/errors.js';
import type { KubeObject } from '../kube/client.js';
import { LABEL, MANAGED_BY } from '../api/names.js';
import { RUNTIME_NODE_FLAGS } from '../runtime/node-flags.js';
import { LOADER } from './loader.js';

export type BundleKind = 'hub-controller' | 'klusterlet';

/** The official Node.js image: Debian 12 (glibc) slim; the runtimes have no native add-ons. */
export const DEFAULT_NODE_IMAGE = 'node:24-bookworm-slim';

export const ANNOTATION = {
  version: 'ocmadm.io/runtime-version',
  sha256: 'ocmadm.io/runtime-sha256',
} as const;

/** Where the ConfigMap is mounted in the pod (read-only). */
export const MOUNT_DIR = '/ocmadm/runtime';

/** OCMADM_RUNTIME_BUNDLES names another bundle directory (a test installs an older runtime). */
export const BUNDLE_DIR_ENV = 'OCMADM_RUNTIME_BUNDLES';

export interface RuntimeBundle {
  kind: BundleKind;
  version: string;
  /** The ConfigMap key and file name in the pod. */
  file: string;
  gz: Buffer;
  sha256: string;
}

interface Manifest {
  version: string;
  bundles: Record<BundleKind, { file: string; sha256: string }>;
}

/** dist/bundles beside the built CLI (this file is dist/bundle/index.js). */
export function bundleDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[BUNDLE_DIR_ENV] || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bundles');
}

export function loadBundle(kind: BundleKind, env: NodeJS.ProcessEnv = process.env): RuntimeBundle {
  const dir = bundleDir(env);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (err) {
    throw new CliError(`no runtime bundles in ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run \`npm run build\` first`);
  }
  const entry = manifest.bundles?.[kind];
  if (!entry) throw new CliError(`${dir}/manifest.json has no ${kind} bundle; run \`npm run build\` again`);
  const gz = fs.readFileSync(path.join(dir, entry.file));
  return { kind, version: manifest.version, file: entry.file, gz, sha256: entry.sha256 };
}

/** An empty bundle: what a listing of installed objects (clean, unjoin) renders with. */
export function placeholderBundle(kind: BundleKind): RuntimeBundle {
  return { kind, version: '0.0.0', file: `${kind}.mjs.gz`, gz: Buffer.alloc(0), sha256: '' };
}

export const configMapName = (kind: BundleKind) => `ocmadm-${kind}-runtime`;

/** The ConfigMap holding the bundle; its annotations say which version and hash it holds. */
export function bundleConfigMap(b: RuntimeBundle, namespace: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(b.kind),
      namespace,
      labels: { [LABEL.managedBy]: MANAGED_BY, ...labels },
      annotations: { [ANNOTATION.version]: b.version, [ANNOTATION.sha256]: b.sha256 },
    },
    binaryData: { [b.file]: b.gz.toString('base64') },
  } as KubeObject;
}

/** Bytes the ConfigMap takes in etcd, roughly: its JSON (binaryData is base64 there). */
export const configMapBytes = (cm: KubeObject) => Buffer.byteLength(JSON.stringify(cm));

export interface PodRuntime {
  image: string;
  imagePullSecrets: string[];
}

interface Container {
  name: string;
  image?: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Deployment extends KubeObject {
  spec: { template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: Container[]; volumes?: object[]; imagePullSecrets?: { name: string }[] } } };
}

/**
 * Makes a rendered runtime Deployment run the bundle: the Node image, the loader as command, the
 * ConfigMap mounted read-only, the expected hash in the environment and on the pod template (a new
 * bundle rolls the pods). Returns a new object.
 */
export function withBundle(deployment: KubeObject, b: RuntimeBundle, pod: PodRuntime): KubeObject {
  const d = structuredClone(deployment) as Deployment;
  const tpl = d.spec.template;
  tpl.metadata = { ...tpl.metadata, annotations: { ...tpl.metadata?.annotations, [ANNOTATION.version]: b.version, [ANNOTATION.sha256]: b.sha256 } };
  if (pod.imagePullSecrets.length) tpl.spec.imagePullSecrets = pod.imagePullSecrets.map((name) => ({ name }));
  tpl.spec.volumes = [...(tpl.spec.volumes ?? []), { name: 'runtime', configMap: { name: configMapName(b.kind), defaultMode: 0o444 } }];
  const c = tpl.spec.containers[0]!;
  c.image = pod.image;
  c.command = ['node', ...RUNTIME_NODE_FLAGS[b.kind], '-e', LOADER, '--'];
  c.env = [
    ...(c.env ?? []),
    { name: 'OCMADM_BUNDLE', value: `${MOUNT_DIR}/${b.file}` },
    { name: 'OCMADM_BUNDLE_SHA256', value: b.sha256 },
  ];
  c.volumeMounts = [...(c.volumeMounts ?? []), { name: 'runtime', mountPath: MOUNT_DIR, readOnly: true }];
  return d;
}

/** The installed runtime's version and hash, from its ConfigMap's annotations. */
export function installedBundle(cm: KubeObject | undefined): { version?: string; sha256?: string } | undefined {
  if (!cm) return undefined;
  const a = cm.metadata?.annotations ?? {};
  return { version: a[ANNOTATION.version], sha256: a[ANNOTATION.sha256] };
}
