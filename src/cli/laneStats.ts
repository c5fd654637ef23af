// Per-lane figures for the run summary: how much of the run each lane spent busy (tasks,
// callbacks, initializers) and waiting (main's get/join/sleep...), what failed or was lost
// there, and for a process pool's lane the processes that ran on it.
import { IntervalUnion } from '../trace/intervals';
import { runsInProcesses } from '../trace/model';
import type { TraceStore } from '../trace/store';
import { spellEnd, workerSpells } from '../trace/workers';

export interface LaneStats {
  lane: string;
  busyPct: number;
  waitPct: number;
  spans: number;
  failed: number;
  /** tasks lost when the worker running them died */
  lost: number;
  /** a Pool's or ProcessPoolExecutor's lane: each process that ran on it, oldest first, and how it died if it did */
  processes?: { pid?: number; died?: string }[];
}

/** Total length of the union of [start, end) intervals: overlapping waits count once. */
function covered(intervals: [number, number][]): number {
  const union = new IntervalUnion();
  for (const [s, e] of intervals.sort((a, b) => a[0] - b[0])) union.add(s, e);
  return union.finish();
}

export function laneStats(store: TraceStore): LaneStats[] {
  const total = Math.max(store.end, 1);
  const pct = (us: number) => Math.round((us / total) * 1000) / 10;
  const acc = new Map<number, { spans: number; failed: number; lost: number; busy: [number, number][]; wait: [number, number][] }>();
  for (const lane of store.lanes) acc.set(lane.id, { spans: 0, failed: 0, lost: 0, busy: [], wait: [] });
  for (let i = 0; i < store.spanCount; i++) {
    const a = acc.get(store.col.lane[i]);
    // A cancelled task only sits on its pool's lane to be seen; it never ran there.
    if (!a || store.status(i) === 'cancelled') continue;
    (store.kind(i) === 'wait' ? a.wait : a.busy).push([store.col.start[i], store.col.end[i]]);
    // Main's running time counts as busy, but is no span of the program's.
    if (store.kind(i) === 'run') continue;
    a.spans++;
    const st = store.status(i);
    if (st === 'error' || st === 'threw') a.failed++;
    else if (st === 'lost') a.lost++;
  }
  const spells = workerSpells(store.marks);
  // Tasks counted but not kept as spans ran one after another on their lane: their time adds up.
  const { busy, spans, laneFailed } = store.notKept;
  return store.lanes.map((l) => {
    const a = acc.get(l.id)!;
    const stats: LaneStats = {
      lane: l.name,
      busyPct: pct(covered(a.busy) + (busy[l.id] ?? 0)),
      waitPct: pct(covered(a.wait)),
      spans: a.spans + (spans[l.id] ?? 0),
      failed: a.failed + (laneFailed[l.id] ?? 0),
      lost: a.lost,
    };
    const kind = store.pools.get(l.pool)?.kind;
    if (kind && runsInProcesses(kind) && spells.has(l.id)) {
      stats.processes = spells.get(l.id)!.map((s) => ({ pid: s.pid, ...(s.end?.kind === 'worker-died' ? { died: spellEnd(s) } : {}) }));
    }
    return stats;
  });
}
