// One pass over the span columns that every rule shares: spans grouped by kind and by job, and
// the lookups from a span to its job, pool and lane. Spans are materialised only when asked for.
import { bisector } from 'd3-array';
import type { Job, Lane, PoolInfo, Span, SpanKind, SpanStatus } from '../trace/model';
import type { TraceStore } from '../trace/store';

/** What was given to one pool: its jobs, and its task spans by status. */
export interface PoolWork {
  jobs: number;
  /** jobs still pending */
  pending: number;
  tasks: Partial<Record<SpanStatus, number>>;
  /** tasks that ran to an end (ran()) */
  ran: number;
}

export class TraceIndex {
  readonly tasks: number[] = [];
  readonly callbacks: number[] = [];
  readonly waits: number[] = [];
  readonly inits: number[] = [];
  private readonly tasksByJob: SpansByJob;
  private readonly callbacksByJob: SpansByJob;
  private readonly cache = new Map<number, Span>();
  private byEnd?: number[];
  private byTaskId?: Map<number, number>;
  private byPool?: Map<number, PoolWork>;

  constructor(readonly store: TraceStore) {
    // Main's running time (run) is drawn and counted, but no rule reads it.
    const byKind: Record<SpanKind, number[]> = { task: this.tasks, callback: this.callbacks, wait: this.waits, init: this.inits, run: [] };
    for (let i = 0; i < store.spanCount; i++) byKind[store.kind(i)].push(i);
    this.tasksByJob = new SpansByJob(this.tasks, store.col.job);
    this.callbacksByJob = new SpansByJob(this.callbacks, store.col.job);
  }

  span(i: number): Span {
    let s = this.cache.get(i);
    if (!s) this.cache.set(i, (s = this.store.span(i)));
    return s;
  }

  /** Span i's name, read from its column: a rule that filters many spans makes no Span for each. */
  nameOf(i: number): string {
    return this.store.str(this.store.col.name[i]);
  }

  /** The span of the task with this id, or -1 (also for a mark that names no task). */
  spanOfTask(taskId: number | undefined): number {
    if (taskId === undefined) return -1;
    this.byTaskId ??= new Map(this.tasks.map((i) => [this.store.col.taskId[i], i]));
    return this.byTaskId.get(taskId) ?? -1;
  }

  tasksOf(job: number): number[] {
    return this.tasksByJob.get(job);
  }

  /** The task span of `job` that ran and ended last, or -1: asked of every job, so it makes no list. */
  lastRanTask(job: number): number {
    const end = this.store.col.end;
    let last = -1;
    this.tasksByJob.forEach(job, (i) => {
      if (this.ran(i) && (last < 0 || end[i] > end[last])) last = i;
    });
    return last;
  }

  callbacksOf(job: number): number[] {
    return this.callbacksByJob.get(job);
  }

  job(id: number): Job | undefined {
    return this.store.jobs.get(id);
  }

  poolOfJob(id: number): PoolInfo | undefined {
    const job = this.store.jobs.get(id);
    return job && this.store.pools.get(job.pool);
  }

  lane(id: number): Lane | undefined {
    return this.store.laneById(id);
  }

  /**
   * What was given to `pool`, counted for every pool in one pass over the job and task columns the
   * first time a rule asks: a run of a million jobs makes no Job object for it.
   */
  poolWork(pool: number): PoolWork {
    if (!this.byPool) {
      const byPool = (this.byPool = new Map());
      const of = (id: number) => {
        let w = byPool.get(id);
        if (!w) byPool.set(id, (w = { jobs: 0, pending: 0, tasks: {}, ran: 0 }));
        return w;
      };
      this.store.jobs.forEachPoolStatus((_, p, status) => {
        const w = of(p);
        w.jobs++;
        if (status === 'pending') w.pending++;
      });
      const { jobs, col } = this.store;
      for (const i of this.tasks) {
        const p = jobs.poolOf(col.job[i]);
        if (p === undefined) continue;
        const w = of(p);
        const status = this.store.status(i);
        w.tasks[status] = (w.tasks[status] ?? 0) + 1;
        if (this.ran(i)) w.ran++;
      }
    }
    return this.byPool.get(pool) ?? { jobs: 0, pending: 0, tasks: {}, ran: 0 };
  }

  /** The task function's name for a job: its first task span's name, else the api that issued it. */
  taskName(job: Job): string {
    const first = this.tasksOf(job.id)[0];
    return first === undefined ? job.api : this.span(first).name;
  }

  /** Initializer runs of the pool's workers that threw. */
  failedInits(pool: number): number[] {
    return this.inits.filter((i) => this.store.status(i) === 'error' && this.lane(this.store.col.lane[i])?.pool === pool);
  }

  /** Tasks that ran to an end strictly between from and to, in order of their end. */
  tasksEndingBetween(from: number, to: number): number[] {
    const end = this.store.col.end;
    const sorted = (this.byEnd ??= this.tasks.filter((i) => this.ran(i)).sort((a, b) => end[a] - end[b]));
    const lo = bisector((i: number) => end[i]).right(sorted, from);
    const out: number[] = [];
    for (let k = lo; k < sorted.length && end[sorted[k]] < to; k++) out.push(sorted[k]);
    return out;
  }

  /** Whether task span i ran to an end (not still running, not cancelled before it started). */
  ran(i: number): boolean {
    const status = this.store.status(i);
    return status === 'ok' || status === 'error';
  }

  duration(i: number): number {
    return this.store.col.end[i] - this.store.col.start[i];
  }
}

// Made once: a rule asks for a million jobs' spans in a big run.
const byId = bisector((x: number) => x);

/**
 * Spans by the job they belong to, in span order: the spans sorted by job in one array, and each
 * job's run of them found by binary search, so a million jobs need no list (nor map entry) each.
 */
class SpansByJob {
  /** the distinct job ids, ascending; job k's spans are items[start[k]] .. items[start[k + 1]] */
  private readonly keys: Int32Array;
  private readonly start: Int32Array;
  private readonly items: Int32Array;
  /** the keys count up without gaps (a run's job ids do, unless jobs had no spans of this kind): a job's place is its id's offset */
  private readonly dense: boolean;

  constructor(spans: readonly number[], job: Int32Array) {
    const items = Int32Array.from(spans);
    let sorted = true;
    for (let k = 1; k < items.length && sorted; k++) sorted = job[items[k - 1]] <= job[items[k]];
    if (!sorted) items.sort((a, b) => job[a] - job[b] || a - b);
    let runs = 0;
    for (let k = 0; k < items.length; k++) if (k === 0 || job[items[k]] !== job[items[k - 1]]) runs++;
    this.keys = new Int32Array(runs);
    this.start = new Int32Array(runs + 1);
    let r = 0;
    for (let k = 0; k < items.length; k++) {
      if (k > 0 && job[items[k]] === job[items[k - 1]]) continue;
      this.keys[r] = job[items[k]];
      this.start[r++] = k;
    }
    this.start[runs] = items.length;
    this.items = items;
    this.dense = runs > 0 && this.keys[runs - 1] - this.keys[0] === runs - 1;
  }

  get(id: number): number[] {
    const k = this.find(id);
    return k < 0 ? [] : Array.from(this.items.subarray(this.start[k], this.start[k + 1]));
  }

  forEach(id: number, fn: (span: number) => void): void {
    const k = this.find(id);
    if (k >= 0) for (let p = this.start[k]; p < this.start[k + 1]; p++) fn(this.items[p]);
  }

  /** Job id's place among the keys, or -1. */
  private find(id: number): number {
    const keys = this.keys;
    if (this.dense) {
      const k = id - keys[0];
      return k >= 0 && k < keys.length ? k : -1;
    }
    const k = byId.left(keys, id);
    return k < this.keys.length && this.keys[k] === id ? k : -1;
  }
}
