/**
 * What belongs to this e2e run, so that its global teardown can check that nothing of it is left
 * while other runs on the machine go on: a temporary root that every suite's directories land in
 * ($TMPDIR, inherited by every process the run starts: it also marks them), the node slots
 * claimed for clusters inside it (noted as they are claimed: a freed slot says nothing of its
 * past owner) and the host as it was before (iptables chains, network namespaces).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUN_ROOT, readSlotOwner } from '../../src/sandbox/node/slot.js';
import { hostSnapshot, leftovers, type HostSnapshot } from '../../src/sandbox/node/leftovers.js';

export interface RunScope {
  root: string;
  before: HostSnapshot;
  /** slot -> cluster directory, for every slot claimed for a cluster under root. */
  slots: Map<number, string>;
  close(): void;
}

export async function openRunScope(): Promise<RunScope> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-run-'));
  fs.chmodSync(root, 0o711); // a suite that runs the CLI as another user reaches its own directory below
  process.env.TMPDIR = root;
  const before = await hostSnapshot();
  const slots = new Map<number, string>();
  const dir = path.join(RUN_ROOT, 'slots');
  const watchers: fs.FSWatcher[] = [];
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // Not root: no node can start in this run, so no slot to note.
    return { root, before, slots, close: () => undefined };
  }
  // True once the slot's owner is known (ours or not).
  const note = (n: number) => {
    const owner = readSlotOwner(n);
    if (owner && owner.dir.startsWith(`${root}/`)) slots.set(n, owner.dir);
    return !!owner;
  };
  const onSlotDir = (name: string | null) => {
    if (!name || !/^\d+$/.test(name)) return;
    const n = Number(name);
    let w: fs.FSWatcher;
    try {
      // Watch first, then read: the owner file is written right after the directory is made.
      w = fs.watch(path.join(dir, name), () => note(n) && w.close());
    } catch {
      return; // freed meanwhile
    }
    w.on('error', () => w.close());
    if (note(n)) w.close();
    else watchers.push(w);
  };
  const main = fs.watch(dir, (_event, name) => onSlotDir(name));
  main.on('error', () => main.close());
  watchers.push(main);
  return {
    root,
    before,
    slots,
    close: () => watchers.forEach((w) => w.close()),
  };
}

/** After everything is stopped: one line per leftover of this run; the run's root is removed when nothing is mounted below it. */
export async function closeRunScope(scope: RunScope): Promise<string[]> {
  scope.close();
  const left = await leftovers({
    dirs: [scope.root],
    env: [`TMPDIR=${scope.root}`],
    slots: [...scope.slots].map(([slot, dir]) => ({ slot, dir })),
    before: scope.before,
  });
  if (!left.some((l) => l.startsWith('mount '))) fs.rmSync(scope.root, { recursive: true, force: true });
  return left;
}
