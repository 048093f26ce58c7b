import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The two runtimes ocmadm can run as local processes. */
export type RuntimeKind = 'hub-controller' | 'klusterlet';

/** Root of ocmadm's per-user state: $OCMADM_STATE_DIR, else $XDG_STATE_HOME/ocmadm, else ~/.local/state/ocmadm. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OCMADM_STATE_DIR) return env.OCMADM_STATE_DIR;
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'ocmadm');
}

/** Directory of one local runtime instance, e.g. <root>/klusterlet/<instance>. */
export function runtimeDir(kind: RuntimeKind, instance: string, env?: NodeJS.ProcessEnv): string {
  if (!/^[a-zA-Z0-9._-]+$/.test(instance)) throw new Error(`invalid runtime instance name "${instance}"`);
  return path.join(stateRoot(env), kind, instance);
}

/** Writes a file holding credentials: created 0600, replaced atomically. */
export function writeSecretFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
