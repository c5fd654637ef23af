// The host's side of any run, whatever runs the program: the trace store and its builder, the
// record sources read while the run goes and once more at its end, lines handed on in order,
// progress, and the trace closed with the run's outcome. A stopped, crashed or deadlocked run
// keeps everything recorded up to that moment.
import { languageOf, type DeadlockInfo } from '../../trace/model';
import { MAIN_LANE } from '../record/lanes';
import { TraceBuilder, type Progress } from '../../trace/builder';
import { TraceStore } from '../../trace/store';
import { nowUs } from '../record/clock';
import { RecordDrain, type RecordSource } from './recordDrain';
import { LogOrder, type OnLog } from './logOrder';
import type { RunResult } from './run';

const POLL_MS = 25;
const SLICE_MS = 8;
const PROGRESS_MS = 100;

export interface RunTraceOptions {
  onLog?: OnLog;
  onProgress?(p: Progress): void;
}

export class RunTrace {
  readonly store: TraceStore;
  /** the run's origin on the shared clock, µs */
  readonly origin = nowUs();
  private readonly builder: TraceBuilder;
  private readonly records: RecordDrain;
  private readonly logs: LogOrder;
  private poll: ReturnType<typeof setInterval> | undefined;
  private behind = false;
  private lastProgress = 0;

  constructor(
    file: string,
    private readonly opts: RunTraceOptions,
  ) {
    const language = languageOf(file);
    this.store = new TraceStore({ file, startedAt: new Date().toISOString(), ...(language ? { language } : {}) });
    this.builder = new TraceBuilder(this.store, this.origin);
    this.records = new RecordDrain(this.builder);
    this.logs = new LogOrder(this.builder, this.store, this.origin, opts.onLog);
  }

  addSource(source: RecordSource): void {
    this.records.add(source);
  }

  /** Reads the sources every few milliseconds until `stopReading`. */
  startReading(): void {
    this.poll ??= setInterval(() => this.read(), POLL_MS);
  }

  stopReading(): void {
    clearInterval(this.poll);
    this.poll = undefined;
  }

  /**
   * The host may be an editor: each turn reads for a few milliseconds at most and comes back
   * at once if the sources hold more, so a burst of records never stalls its event loop.
   */
  private read(): void {
    if (this.records.read(performance.now() + SLICE_MS) && !this.behind && this.poll) {
      this.behind = true;
      setImmediate(() => {
        this.behind = false;
        this.read();
      });
    }
    this.handOn(false);
  }

  private handOn(final: boolean): void {
    this.logs.emit(final);
    const now = Date.now();
    if (this.opts.onProgress && (final || now - this.lastProgress >= PROGRESS_MS)) {
      this.lastProgress = now;
      this.opts.onProgress({ ...this.builder.progress });
    }
  }

  /** Reads every source to its end now (the run's outcome may depend on what they hold). */
  readAll(): void {
    this.records.read();
  }

  /** The run's threads or processes are gone: reads what they left and closes the trace with `r`. */
  close(r: Omit<RunResult, 'store'>): RunResult {
    this.stopReading();
    this.records.read();
    this.handOn(true);
    this.reportDropped();
    const store = this.store;
    this.builder.finish(nowUs());
    if (r.outcome === 'deadlock' && !store.meta.deadlock) store.meta.deadlock = lastOpenWait(store);
    if (r.outcome === 'deadlock' && store.meta.deadlock && !r.error) {
      r.error = { message: `deadlock: ${firstLine(store.meta.deadlock.reason)}`, site: store.meta.deadlock.site };
    }
    store.meta.outcome = r.outcome;
    if (r.error && !store.meta.error) store.meta.error = r.error.stack ?? r.error.message;
    return { ...r, store };
  }

  /** A source that stayed full for seconds dropped records: say so rather than show a trace with holes. */
  private reportDropped(): void {
    const dropped = this.records.dropped;
    if (dropped === 0) return;
    this.logs.say({ lane: MAIN_LANE, ts: this.store.end, stream: 'stderr', text: `poolscope: ${dropped} trace records were lost: the host fell behind reading them` });
  }
}

export const NEVER_SETTLES = 'main never returned: it awaits something that nothing left in the program can settle';

/** Where main was left waiting when its thread ran out of things to do. */
function lastOpenWait(store: TraceStore): DeadlockInfo {
  for (let i = store.spanCount - 1; i >= 0; i--) {
    if (store.laneCol[i] === MAIN_LANE && store.kind(i) === 'wait' && store.status(i) === 'running') {
      const span = store.span(i);
      return { ts: span.start, site: span.site, job: span.job, reason: `${NEVER_SETTLES} (${span.name}() here never returned)` };
    }
  }
  return { ts: store.end, job: -1, reason: NEVER_SETTLES };
}

export function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0];
}
