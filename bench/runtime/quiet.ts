// The bench shares its 2 cores with whatever else runs on the machine; a round measured while
// another process burns a core is not worth much. The driver waits (a while) for the machine to
// go quiet before each round, and measures how much CPU other processes took during it.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CpuSnapshot {
  /** machine-wide busy and total time, and this process's own plus its reaped children's (clock ticks) */
  busy: number;
  total: number;
  ours: number;
}

export function snapshot(): CpuSnapshot {
  // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ..."
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  // /proc/self/stat after the command name: fields 14-17 are utime stime cutime cstime.
  const s = readFileSync('/proc/self/stat', 'utf8');
  const own = s
    .slice(s.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 15)
    .map(Number);
  return { busy: total - f[3] - f[4], total, ours: own.reduce((a, b) => a + b, 0) };
}

/** Share of the machine (0..1) that other processes used between two snapshots; children
 * count as ours once they have exited. */
export function othersShare(a: CpuSnapshot, b: CpuSnapshot): number {
  const total = b.total - a.total;
  return total > 0 ? Math.max(0, b.busy - a.busy - (b.ours - a.ours)) / total : 0;
}

/** Waits until other processes use less than `threshold` of the machine, or `maxWaitMs` passed. */
export async function waitForQuiet(threshold: number, maxWaitMs: number): Promise<void> {
  const until = Date.now() + maxWaitMs;
  for (;;) {
    const a = snapshot();
    await sleep(300);
    if (othersShare(a, snapshot()) <= threshold || Date.now() >= until) return;
  }
}
