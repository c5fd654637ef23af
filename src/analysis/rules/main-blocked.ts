// Results reach user code only when main's event loop takes them in, so a main thread that
// blocks synchronously (sleepSync, a busy loop) holds finished results back: their callbacks,
// ready() and waiters all run late. Delays that overlap form one episode and one finding.
// Time spent in callbacks is left out: callback-blocked reports that. A Python program's main
// thread has no such loop: its pools' own threads hand results on, whatever main does.
import { bisector } from 'd3-array';
import type { Finding, RelatedInfo, RuleOptions } from '../types';
import type { TraceIndex } from '../traceIndex';
import { bySite, count, formatDuration } from '../text';
import { maxOf, minOf } from '../extremes';
import { IntervalUnion } from '../../trace/intervals';

const SHOWN_SITES = 3;

interface Delay {
  job: number;
  task: number;
  from: number;
  to: number;
}

export function mainBlocked(t: TraceIndex, o: RuleOptions): Finding[] {
  if (t.store.meta.language === 'python') return [];
  const inCallbacks = coverage(t.callbacks.map((i) => [t.store.col.start[i], t.store.col.end[i]]));
  const delays: Delay[] = [];
  for (const job of t.store.jobs.values()) {
    if (job.resultIn === undefined) continue;
    // The job's last task to finish: its result could have been taken in from then on.
    let task = -1;
    for (const i of t.tasksOf(job.id)) if (t.ran(i) && (task < 0 || t.store.col.end[i] > t.store.col.end[task])) task = i;
    if (task < 0) continue;
    const from = t.store.col.end[task];
    const held = job.resultIn - from - (inCallbacks(job.resultIn) - inCallbacks(from));
    if (held > o.thresholdUs) delays.push({ job: job.id, task, from, to: job.resultIn });
  }
  return episodes(delays).map((ep) => finding(t, ep));
}

function finding(t: TraceIndex, ep: Delay[]): Finding {
  const from = minOf(ep, (d) => d.from);
  const to = maxOf(ep, (d) => d.to);
  const longest = maxOf(ep, (d) => d.to - d.from);
  const sleeps = t.waits.filter((i) => t.store.col.start[i] < to && t.store.col.end[i] > from && t.nameOf(i) === 'sleepSync' && t.lane(t.store.col.lane[i])?.kind === 'main');
  const sleep = sleeps.length ? t.span(sleeps.reduce((a, b) => (overlap(t, b, from, to) > overlap(t, a, from, to) ? b : a))) : undefined;
  const held = `${count(ep.length, 'finished result')} waited up to ${formatDuration(longest)} to be taken in, so their callbacks and waiters ran late`;
  const message = sleep
    ? `main blocked its event loop for ${formatDuration(sleep.end - sleep.start)} in sleepSync(); ${held}`
    : `main's event loop was busy for ${formatDuration(to - from)}; ${held}`;
  const related: RelatedInfo[] = bySite(ep, (d) => t.job(d.job)?.site)
    .slice(0, SHOWN_SITES)
    .map((g) => {
      const job = t.job(g.items[0].job)!;
      const longestHere = maxOf(g.items, (d) => d.to - d.from);
      return { message: `${count(g.items.length, 'result')} of \`${t.taskName(job)}\` from this ${job.api}() call waited up to ${formatDuration(longestHere)}`, site: g.site };
    });
  return {
    rule: 'main-blocked',
    severity: 'warning',
    message,
    site: sleep?.site ?? t.job(ep[0].job)?.site,
    related,
    spans: [...(sleep ? [sleep.index] : []), ...ep.map((d) => d.task)],
  };
}

/** Groups delays whose time ranges overlap. */
function episodes(delays: Delay[]): Delay[][] {
  const out: Delay[][] = [];
  let end = -Infinity;
  for (const d of [...delays].sort((a, b) => a.from - b.from)) {
    if (d.from <= end) out[out.length - 1].push(d);
    else out.push([d]);
    end = Math.max(end, d.to);
  }
  return out;
}

const byStart = bisector((range: [number, number]) => range[0]);

/** For a set of time ranges, a function giving how much of (-inf, x] they cover. */
function coverage(ranges: [number, number][]): (x: number) => number {
  const merged: [number, number][] = [];
  const union = new IntervalUnion(merged);
  for (const [s, e] of ranges.sort((a, b) => a[0] - b[0])) union.add(s, e);
  union.finish();
  const before = [0];
  for (const [s, e] of merged) before.push(before[before.length - 1] + e - s);
  return (x) => {
    const lo = byStart.left(merged, x);
    // merged[0..lo) start before x; only the last of them can reach past it.
    if (lo === 0) return 0;
    const [s, e] = merged[lo - 1];
    return before[lo - 1] + Math.min(e, x) - s;
  };
}

function overlap(t: TraceIndex, i: number, from: number, to: number): number {
  return Math.min(t.store.col.end[i], to) - Math.max(t.store.col.start[i], from);
}
