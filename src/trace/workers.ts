// A worker lane's history from its worker marks: each thread or process that ran on it, with
// its pid, when it began and how it ended. A Pool that replaces dead workers keeps their lane,
// so one lane can hold many of them; the CLI and the inspector both tell them apart by this.
import type { Mark } from './model';

export interface WorkerSpell {
  lane: number;
  /** the pid of the process (the run's own for a thread), when its start was recorded */
  pid?: number;
  /** when it started (µs), or undefined when the trace has no start for it */
  from?: number;
  /** it took over from a worker of this lane that ended */
  replaces: boolean;
  /** how it ended: a worker-died or worker-exit mark; none while it runs */
  end?: Mark;
}

/** Every worker lane's spells, oldest first, by lane id. */
export function workerSpells(marks: readonly Mark[]): Map<number, WorkerSpell[]> {
  const worker = marks.filter((m) => m.kind === 'worker-start' || m.kind === 'worker-died' || m.kind === 'worker-exit');
  // Rings are drained one after another: marks of one lane need not arrive in time order.
  worker.sort((a, b) => a.ts - b.ts || (a.kind === 'worker-start' ? 1 : 0) - (b.kind === 'worker-start' ? 1 : 0));
  const out = new Map<number, WorkerSpell[]>();
  for (const m of worker) {
    let spells = out.get(m.lane);
    if (!spells) out.set(m.lane, (spells = []));
    const open = spells.length > 0 && spells[spells.length - 1].end === undefined ? spells[spells.length - 1] : undefined;
    if (m.kind === 'worker-start') {
      spells.push({ lane: m.lane, pid: m.pid, from: m.ts, replaces: m.replaces === true });
    } else if (open) {
      open.end = m;
    } else {
      spells.push({ lane: m.lane, replaces: false, end: m });
    }
  }
  return out;
}

/** How a spell ended, for people: 'killed by SIGKILL', 'exited with code 3', 'exited', or '' while it runs. */
export function spellEnd(s: WorkerSpell): string {
  const m = s.end;
  if (!m) return '';
  if (m.kind === 'worker-exit') return 'exited as its pool asked';
  if (m.signal) return `killed by ${m.signal}`;
  return m.exitCode !== undefined ? `died, exit code ${m.exitCode}` : 'died';
}
