import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { isAlive } from '../runtime/host/process.js';
import type { Component } from './process.js';

/**
 * Processes that outlive the command that started them (a sandbox's control planes), known
 * only by what was recorded at spawn: stopped later by another ocmadm process, which cannot
 * wait on them as a parent does, so exits are probed.
 */
export interface ProcessRecord {
  component: string;
  pid: number;
  /**
   * Start time in clock ticks since boot (/proc/<pid>/stat field 22): a pid the kernel reused
   * for another program has another start time, so it is never signalled.
   */
  startTicks?: number;
  logFile: string;
}

/** The start time of a process, or undefined where /proc is not available or it is gone. */
export function startTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[22 - 3]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

export function recordOf(c: Component): ProcessRecord {
  return { component: c.name, pid: c.pid, startTicks: startTicks(c.pid), logFile: c.logFile };
}

/** Whether the recorded process still runs (a zombie, or a reused pid, does not count). */
export function isRunning(rec: ProcessRecord): boolean {
  if (!isAlive(rec.pid)) return false;
  if (rec.startTicks === undefined) return true;
  const now = startTicks(rec.pid);
  return now === undefined || now === rec.startTicks;
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // each component leads its own process group
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

async function waitGone(recs: ProcessRecord[], ms: number): Promise<ProcessRecord[]> {
  const deadline = Date.now() + ms;
  let pause = 20;
  for (;;) {
    const left = recs.filter(isRunning);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await delay(Math.min(pause, Math.max(1, deadline - Date.now())));
    pause = Math.min(pause * 2, 250);
  }
}

/**
 * SIGTERM to every recorded process still running, SIGKILL to those left after `graceMs`.
 * Returns the records that were running, and any that even SIGKILL did not end within 5 s.
 */
export async function stopRecorded(recs: ProcessRecord[], graceMs = 10_000): Promise<{ stopped: ProcessRecord[]; survivors: ProcessRecord[] }> {
  const running = recs.filter(isRunning);
  for (const r of running) signalGroup(r.pid, 'SIGTERM');
  let left = await waitGone(running, graceMs);
  for (const r of left) signalGroup(r.pid, 'SIGKILL');
  if (left.length) left = await waitGone(left, 5_000);
  return { stopped: running, survivors: left };
}
