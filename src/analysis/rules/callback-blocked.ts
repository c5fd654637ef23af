// A callback that runs long holds the one thread all of its pool's callbacks run on, so every
// result that arrives meanwhile waits behind it (docs/SEMANTICS.md A6, B18).
import type { Finding, RelatedInfo, RuleOptions } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, formatDuration, groupBy } from '../text';
import { minOf } from '../extremes';

const SHOWN_SITES = 3;

export function callbackBlocked(t: TraceIndex, o: RuleOptions): Finding[] {
  const findings: Finding[] = [];
  for (const i of t.callbacks) {
    if (t.duration(i) <= o.thresholdUs) continue;
    const cb = t.span(i);
    const pool = t.job(cb.job)?.pool;
    // A result of the same pool that was finished before the callback ended, yet became ready
    // only after it (or never), was held back by it: those that finished while it ran, and those
    // that had finished just before but were still in line behind it.
    const waiting = t.tasksEndingBetween(-Infinity, cb.end).filter((k) => {
      const job = t.job(t.store.col.job[k]);
      if (job === undefined || job.id === cb.job || job.pool !== pool) return false;
      return job.readyAt === undefined ? t.store.col.end[k] > cb.start : job.readyAt >= cb.end;
    });
    const jobs = new Set(waiting.map((k) => t.store.col.job[k]));
    const thread = t.lane(cb.lane)?.kind === 'main' ? 'the main thread' : 'the callback thread';
    const still = cb.status === 'running' ? ' (it was still running when the trace ended)' : '';
    const behind = jobs.size > 0 ? `; ${count(jobs.size, 'result')} waited behind it` : '';
    const related: RelatedInfo[] = [];
    if (cb.site2) related.push({ message: `callback \`${cb.name}\` was registered here`, site: cb.site2 });
    // By submitting line: a task's site is an interned string, so its id is the line's key.
    for (const g of groupBy(waiting, (k) => t.store.col.site[k]).slice(0, SHOWN_SITES)) {
      const first = t.span(g[0]);
      // Only the part of each wait that this callback is to blame for.
      const longest =
        cb.end -
        Math.max(
          cb.start,
          minOf(g, (k) => t.store.col.end[k]),
        );
      related.push({ message: `${count(g.length, 'result')} of \`${first.name}\` submitted here waited up to ${formatDuration(longest)} behind it`, site: first.site });
    }
    findings.push({
      rule: 'callback-blocked',
      severity: 'warning',
      message: `callback \`${cb.name}\` held ${thread} for ${formatDuration(cb.end - cb.start)}${still}${behind}`,
      site: cb.site,
      related,
      spans: [i, ...waiting],
    });
  }
  return findings;
}
