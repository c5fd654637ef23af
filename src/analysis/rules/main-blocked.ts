// Results reach user code only when main's event loop takes them in, so a main thread that
// blocks synchronously (sleepSync, a busy loop) holds finished results back: their callbacks,
// ready() and waiters all run late. Delays that overlap form one episode and one finding.
// Time spent in callbacks is left out: callback-blocked reports that. A Python program's main
// thread has no such loop: its pools' own threads hand results on, whatever main does.
import { bisector } from 'd3-array';
import { PAUSE, type Finding, type RelatedInfo, type RuleOptions, type RuleOutput } from '../types';
import type { TraceIndex } from '../traceIndex';
import { bySite, count, formatDuration } from '../text';
import { maxOf, minOf } from '../extremes';
import { IntervalUnion } from '../../trace/intervals';

const SHOWN_SITES = 3;

/**
 * Results held back, as columns: a big run can hold back a million, and objects for them would
 * stay on the heap until the next full collection, on top of the run's own memory.
 */
class Delays {
  n = 0;
  readonly job: Int32Array;
  /** the job's last task, whose end is `from` */
  readonly task: Int32Array;
  readonly from: Float64Array;
  /** when main took the result in */
  readonly to: Float64Array;

  constructor(capacity: number) {
    this.job = new Int32Array(capacity);
    this.task = new Int32Array(capacity);
    this.from = new Float64Array(capacity);
    this.to = new Float64Array(capacity);
  }

  push(job: number, task: number, from: number, to: number): void {
    const k = this.n++;
    this.job[k] = job;
    this.task[k] = task;
    this.from[k] = from;
    this.to[k] = to;
  }

  /** Delays whose time ranges overlap, grouped: each episode is its delays' indices, by `from`. */
  episodes(): Uint32Array[] {
    const { from, to } = this;
    // Sorted as a plain array: its sort (TimSort) takes the near order in which tasks end in a
    // few passes, where a typed array's sort with a comparator took 3-4 times as long on 1M delays.
    const byFrom: number[] = new Array<number>(this.n);
    for (let k = 0; k < this.n; k++) byFrom[k] = k;
    byFrom.sort((a, b) => from[a] - from[b] || a - b);
    const order = Uint32Array.from(byFrom);
    const out: Uint32Array[] = [];
    let first = 0,
      end = -Infinity;
    for (let at = 0; at < order.length; at++) {
      const k = order[at];
      if (at > 0 && from[k] > end) {
        out.push(order.subarray(first, at));
        first = at;
      }
      end = Math.max(end, to[k]);
    }
    if (order.length > 0) out.push(order.subarray(first));
    return out;
  }
}

/** In steps (PAUSE between them): on a million jobs each step takes tens of milliseconds. */
export function* mainBlocked(t: TraceIndex, o: RuleOptions): RuleOutput {
  if (t.store.meta.language === 'python') return;
  const inCallbacks = coverage(t.callbacks.map((i) => [t.store.col.start[i], t.store.col.end[i]]));
  // Read from the job table's columns: a Job object for each of a million jobs is most of the cost.
  const jobs = t.store.jobs.viewColumns();
  const delays = new Delays(jobs.n);
  for (let row = 0; row < jobs.n; row++) {
    const resultIn = jobs.resultIn[row];
    if (Number.isNaN(resultIn)) continue;
    // The job's last task to finish: its result could have been taken in from then on.
    const task = t.lastRanTask(jobs.id[row]);
    if (task < 0) continue;
    const from = t.store.col.end[task];
    const held = resultIn - from - (inCallbacks(resultIn) - inCallbacks(from));
    if (held > o.thresholdUs) delays.push(jobs.id[row], task, from, resultIn);
  }
  yield PAUSE;
  const episodes = delays.episodes();
  for (const ep of episodes) {
    yield PAUSE;
    yield finding(t, delays, Array.from(ep));
  }
}

function finding(t: TraceIndex, d: Delays, ep: number[]): Finding {
  const from = minOf(ep, (k) => d.from[k]);
  const to = maxOf(ep, (k) => d.to[k]);
  const longest = maxOf(ep, (k) => d.to[k] - d.from[k]);
  const sleeps = t.waits.filter((i) => t.store.col.start[i] < to && t.store.col.end[i] > from && t.nameOf(i) === 'sleepSync' && t.lane(t.store.col.lane[i])?.kind === 'main');
  const sleep = sleeps.length ? t.span(sleeps.reduce((a, b) => (overlap(t, b, from, to) > overlap(t, a, from, to) ? b : a))) : undefined;
  const held = `${count(ep.length, 'finished result')} waited up to ${formatDuration(longest)} to be taken in, so their callbacks and waiters ran late`;
  const message = sleep
    ? `main blocked its event loop for ${formatDuration(sleep.end - sleep.start)} in sleepSync(); ${held}`
    : `main's event loop was busy for ${formatDuration(to - from)}; ${held}`;
  const related: RelatedInfo[] = bySite(ep, (k) => t.store.jobs.siteOf(d.job[k]))
    .slice(0, SHOWN_SITES)
    .map((g) => {
      const job = t.job(d.job[g.items[0]])!;
      const longestHere = maxOf(g.items, (k) => d.to[k] - d.from[k]);
      return { message: `${count(g.items.length, 'result')} of \`${t.taskName(job)}\` from this ${job.api}() call waited up to ${formatDuration(longestHere)}`, site: g.site };
    });
  return {
    rule: 'main-blocked',
    severity: 'warning',
    message,
    site: sleep?.site ?? t.store.jobs.siteOf(d.job[ep[0]]),
    related,
    spans: [...(sleep ? [sleep.index] : []), ...ep.map((k) => d.task[k])],
  };
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
