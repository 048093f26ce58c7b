import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../../runtime/host/process.js';

/**
 * A node's slot: an index into reserved address ranges, claimed atomically (mkdir) under
 * /run/ocmadm/slots so that any number of sandboxes and test processes on one machine never
 * pick the same addresses or names. Slot s gives:
 * - the network namespace `ocmadm-n<s>` and the host end `ocmadm-h<s>` of its veth pair,
 * - the /30 10.213.0.4s/30 on that veth: host end .4s+1, node end (the node IP) .4s+2,
 * - the pod CIDR 10.214.<s>.0/24 on the node's CNI bridge,
 * - a short run directory /run/ocmadm/n<s> (unix sockets must stay under 108 bytes) and a short
 *   data directory /var/lib/ocmadm/n<s> for the kubelet (its own sockets live under its root dir;
 *   pods' emptyDir volumes belong on disk, not in /run's memory).
 * /run is a tmpfs: a reboot, which ends every node, also frees every slot.
 */
export const RUN_ROOT = process.env.OCMADM_RUN_DIR || '/run/ocmadm';
export const DATA_ROOT = process.env.OCMADM_NODE_DATA_DIR || '/var/lib/ocmadm';
export const SLOTS = 64;

export interface NodeSlot {
  slot: number;
  netns: string;
  hostVeth: string;
  hostIp: string;
  nodeIp: string;
  podCidr: string;
  /** The pod bridge's gateway address (first address of the pod CIDR). */
  podGateway: string;
  runDir: string;
  dataDir: string;
}

/** Who holds a slot: enough for a later process to tear the node down. */
export interface SlotOwner {
  /** The process that owns the node's lifetime (undefined: it outlives its starter, e.g. a sandbox). */
  pid?: number;
  /** The cluster directory; the slot is stale once it is gone. */
  dir: string;
  cluster: string;
}

export function slotAddresses(slot: number): NodeSlot {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) throw new Error(`node slot ${slot} out of range 0-${SLOTS - 1}`);
  return {
    slot,
    netns: `ocmadm-n${slot}`,
    hostVeth: `ocmadm-h${slot}`,
    hostIp: `10.213.0.${4 * slot + 1}`,
    nodeIp: `10.213.0.${4 * slot + 2}`,
    podCidr: `10.214.${slot}.0/24`,
    podGateway: `10.214.${slot}.1`,
    runDir: path.join(RUN_ROOT, `n${slot}`),
    dataDir: path.join(DATA_ROOT, `n${slot}`),
  };
}

const slotsDir = () => path.join(RUN_ROOT, 'slots');
const slotDir = (s: number) => path.join(slotsDir(), String(s));

export function readSlotOwner(slot: number): SlotOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(slotDir(slot), 'owner.json'), 'utf8')) as SlotOwner;
  } catch {
    return undefined;
  }
}

/** A slot whose owner is gone: its cluster directory was removed, or its owning process died. */
export function slotStale(owner: SlotOwner | undefined, mtimeMs: number): boolean {
  // No owner file yet: another process is between mkdir and write; give it a minute.
  if (!owner) return Date.now() - mtimeMs > 60_000;
  if (!fs.existsSync(owner.dir)) return true;
  return owner.pid !== undefined && !isAlive(owner.pid);
}

/**
 * Claims the lowest free slot. A stale slot is handed to `reclaim` (which tears down what its
 * dead owner left) and then taken over through a rename, so two claimers cannot both win it.
 */
export async function claimSlot(owner: SlotOwner, reclaim: (s: NodeSlot, old: SlotOwner | undefined) => Promise<void>): Promise<NodeSlot> {
  fs.mkdirSync(slotsDir(), { recursive: true, mode: 0o700 });
  for (let s = 0; s < SLOTS; s++) {
    const d = slotDir(s);
    try {
      fs.mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let mtime = Date.now();
      try {
        mtime = fs.statSync(d).mtimeMs;
      } catch {
        continue;
      }
      const old = readSlotOwner(s);
      if (!slotStale(old, mtime)) continue;
      // Move it aside atomically: only one claimer gets the rename, the others see ENOENT.
      const aside = `${d}.stale-${process.pid}-${Date.now()}`;
      try {
        fs.renameSync(d, aside);
      } catch {
        continue;
      }
      await reclaim(slotAddresses(s), old);
      fs.rmSync(aside, { recursive: true, force: true });
      try {
        fs.mkdirSync(d);
      } catch {
        continue;
      }
    }
    fs.writeFileSync(path.join(d, 'owner.json'), `${JSON.stringify(owner)}\n`, { mode: 0o600 });
    return slotAddresses(s);
  }
  throw new Error(`all ${SLOTS} node slots under ${slotsDir()} are taken; stop a sandbox or cluster with nodes`);
}

export function releaseSlot(slot: number): void {
  fs.rmSync(slotDir(slot), { recursive: true, force: true });
}

/** Slots currently claimed (for leak checks). */
export function claimedSlots(): number[] {
  try {
    return fs
      .readdirSync(slotsDir())
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}
