// The bench shares its 2 cores with whatever else runs on the machine; a round measured while
// another process burns a core is not worth much. Before each round the driver waits (a while)
// for the machine to go quiet, and reports how busy it was.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function cpuTimes(): { busy: number; total: number } {
  // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ..."
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/** Share of all cores in use over the next `ms` milliseconds (0..1). */
export async function machineBusy(ms = 300): Promise<number> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  return b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
}

/** Waits until the machine is below `threshold` busy, or `maxWaitMs` passed; returns the last reading. */
export async function waitForQuiet(threshold: number, maxWaitMs: number): Promise<number> {
  const until = Date.now() + maxWaitMs;
  let busy = await machineBusy();
  while (busy > threshold && Date.now() < until) busy = await machineBusy();
  return busy;
}
