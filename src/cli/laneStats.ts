// Per-lane figures for the run summary: how much of the run each lane spent busy (tasks,
// callbacks, initializers) and waiting (main's get/join/sleep...).
import type { TraceStore } from '../trace/store';

export interface LaneStats {
  lane: string;
  busyPct: number;
  waitPct: number;
  spans: number;
  failed: number;
}

export function laneStats(store: TraceStore): LaneStats[] {
  const total = Math.max(store.end, 1);
  const pct = (us: number) => Math.round((us / total) * 1000) / 10;
  const acc = new Map<number, { spans: number; failed: number; busy: number; wait: number }>();
  for (const lane of store.lanes) acc.set(lane.id, { spans: 0, failed: 0, busy: 0, wait: 0 });
  for (let i = 0; i < store.spanCount; i++) {
    const a = acc.get(store.laneCol[i]);
    if (!a) continue;
    const d = store.endCol[i] - store.startCol[i];
    if (store.kind(i) === 'wait') a.wait += d;
    else a.busy += d;
    a.spans++;
    const st = store.status(i);
    if (st === 'error' || st === 'threw') a.failed++;
  }
  return store.lanes.map((l) => {
    const a = acc.get(l.id)!;
    return { lane: l.name, busyPct: pct(a.busy), waitPct: pct(a.wait), spans: a.spans, failed: a.failed };
  });
}
