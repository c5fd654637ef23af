// What a run's store counted but did not keep. A run past the store's span budget (or a replay
// of one window of a journal) keeps only some tasks as spans; the others are counted here, per
// lane, so the summary's figures still cover the whole run and can say what is not drawn.
/** Which tasks the store keeps as spans: ids in [from, to), and at most `maxSpans` spans. */
export interface KeepPolicy {
  maxSpans: number;
  taskFrom: number;
  taskTo: number;
}

/** The CLI's budget: keeps a 1M-task run whole (about 1.01M spans) and bounds a bigger one's store to some 160 MB. */
export const DEFAULT_MAX_SPANS = 1_200_000;

export const KEEP_ALL: KeepPolicy = { maxSpans: Infinity, taskFrom: 1, taskTo: Infinity };

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
