// What a run's store counted but did not keep. A run past the store's span budget (or a replay
// of one window of a journal) keeps only some tasks as spans; the others are counted here, per
// lane, so the summary's figures still cover the whole run and can say what is not drawn.
/** Which tasks the store keeps as spans: ids in [from, to) (of `only`, when given), and at most `maxSpans` spans. */
export interface KeepPolicy {
  maxSpans: number;
  taskFrom: number;
  taskTo: number;
  /** a window's tasks, named one by one (no more than maxSpans): others in the range are not kept */
  only?: ReadonlySet<number>;
  /** printed lines kept at most (the first ones); undefined: all */
  maxLines?: number;
}

/** The CLI's budget: keeps a 1M-task run whole (about 1.01M spans) and bounds a bigger one's store to some 160 MB. */
export const DEFAULT_MAX_SPANS = 1_200_000;

export const KEEP_ALL: KeepPolicy = { maxSpans: Infinity, taskFrom: 1, taskTo: Infinity };

/** What a stretch of records adds to the figures of tasks not kept, counted without the records (a journal's index). Times are on the run's clock. */
export interface CountedTasks {
  /** the lane its task starts and ends are on (negative: none) */
  runLane: number;
  issued: number;
  issueMin: number;
  issueMinTs: number;
  ends: number;
  failed: number;
  lost: number;
  busy: number;
  dropped: number;
  /** the task still running on runLane at its end (0: none), since when */
  openTask: number;
  openStart: number;
}

/** A replay of one time window of a run (µs from the origin), and how many tasks the whole run issued. */
export interface KeptWindow {
  from: number;
  to: number;
  /** every task that ran in it is kept (else the span budget kept the first ones) */
  complete: boolean;
  runTasks: number;
}

/** The tasks not kept, counted: in all and per lane (by lane id; a run has few lanes). */
export class NotKept {
  tasks = 0;
  failed = 0;
  lost = 0;
  /** dropped from the queue before any worker took them */
  dropped = 0;
  /** the first task not kept and when it was issued (µs from the origin); -1: none */
  firstTask = -1;
  firstTs = -1;
  /** why tasks were left out, for people: 'past the first N spans', 'outside ...' */
  reason = '';
  /** the store's span budget left them out (not a window of the run) */
  byBudget = false;
  /** printed lines past the store's line budget (KeepPolicy.maxLines): counted, not kept */
  lines = 0;
  /** set when the store is one window of a run */
  window: KeptWindow | undefined;
  /** bumped on every count, so a live view knows to catch up while only tasks not kept come in */
  revision = 0;
  readonly busy: number[] = [];
  readonly spans: number[] = [];
  readonly laneFailed: number[] = [];
  /** by lane: when the task not kept that runs there started */
  private readonly started: (number | undefined)[] = [];

  get any(): boolean {
    return this.tasks > 0 || this.spans.length > 0;
  }

  issued(task: number, t: number): void {
    this.tasks++;
    this.revision++;
    if (this.firstTask < 0 || task < this.firstTask) {
      this.firstTask = task;
      this.firstTs = t;
    }
  }

  start(lane: number, t: number): void {
    this.started[lane] = t;
  }

  /** Whether a task not kept is running on `lane` (started, not ended). */
  running(lane: number): boolean {
    return this.started[lane] !== undefined;
  }

  /** A task not kept ended on `lane`: ok, failed (error) or lost with its worker. */
  end(lane: number, t: number, how: 'ok' | 'error' | 'lost'): void {
    this.revision++;
    this.spans[lane] = (this.spans[lane] ?? 0) + 1;
    const from = this.started[lane];
    this.busy[lane] = (this.busy[lane] ?? 0) + (from === undefined ? 0 : Math.max(0, t - from));
    this.started[lane] = undefined;
    if (how === 'error') {
      this.failed++;
      this.laneFailed[lane] = (this.laneFailed[lane] ?? 0) + 1;
    } else if (how === 'lost') this.lost++;
  }

  /** Counts tasks not kept from figures of them (`origin`: the run's origin on their clock). */
  counted(c: CountedTasks, origin: number): void {
    this.revision++;
    if (c.issued > 0) {
      this.tasks += c.issued;
      if (this.firstTask < 0 || c.issueMin < this.firstTask) {
        this.firstTask = c.issueMin;
        this.firstTs = c.issueMinTs - origin;
      }
    }
    this.dropped += c.dropped;
    this.failed += c.failed;
    this.lost += c.lost;
    const lane = c.runLane;
    if (lane < 0) return;
    this.spans[lane] = (this.spans[lane] ?? 0) + c.ends;
    this.busy[lane] = (this.busy[lane] ?? 0) + c.busy;
    if (c.failed) this.laneFailed[lane] = (this.laneFailed[lane] ?? 0) + c.failed;
    if (c.ends > 0 || c.openTask > 0) this.started[lane] = c.openTask > 0 ? c.openStart - origin : undefined;
  }

  /** The store's span budget, `maxSpans`, left tasks out. */
  byBudgetOf(maxSpans: number): void {
    this.byBudget = true;
    this.reason ||= `past the first ${maxSpans.toLocaleString('en-US')} spans kept in memory`;
  }

  drop(): void {
    this.dropped++;
    this.revision++;
  }

  /** Ends what still runs at the trace's end, as the store closes its open spans. */
  finish(end: number): void {
    this.started.forEach((from, lane) => {
      if (from !== undefined) this.end(lane, end, 'ok');
    });
  }
}
