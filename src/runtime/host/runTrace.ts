// The host's side of any run, whatever runs the program: the trace store and its builder, the
// record sources read while the run goes and once more at its end, lines handed on in order,
// progress, and the trace closed with the run's outcome. A stopped, crashed or deadlocked run
// keeps everything recorded up to that moment.
import { formatSite, languageOf, type DeadlockInfo, type Site, type Span } from '../../trace/model';
import { MAIN_LANE } from '../record/lanes';
import { firstLine } from '../../trace/stacks';
import { TraceBuilder, type Progress } from '../../trace/builder';
import { TraceStore } from '../../trace/store';
import { KEEP_ALL } from '../../trace/notKept';
import { nowUs } from '../record/clock';
import { RecordDrain, type RecordSource } from './recordDrain';
import { JournalWriter } from '../journal/writer';
import { LogOrder, type OnLog } from './logOrder';
import { HostRecords } from './hostRecords';
import { MainActivity, type MainThreadView } from './mainActivity';
import type { RunResult } from './run';

const POLL_MS = 25;
const SLICE_MS = 8;
/**
 * A paced run's turns while its program runs: its sources are files that keep every record, so
 * the host may fall behind, and it catches up once the program ends. The cores go to the program,
 * whose timing is what the user studies: a Python program's threads take both cores of a small
 * machine between them, and a host that read every 25 ms, even for 3 ms at most, slowed a burst
 * of no-op ThreadPool tasks by a quarter (2.5x untraced against 2.0x with no reading meanwhile);
 * a turn every 250 ms cost next to nothing. Four views a second are still live.
 */
const PACED_POLL_MS = 250;
const PACED_SLICE_MS = 20;
const PROGRESS_MS = 100;

export interface RunTraceOptions {
  onLog?: OnLog;
  onProgress?(p: Progress): void;
  /** where to keep the run's journal (../journal/format.ts) while it runs: every record read, on disk */
  journal?: string;
  /** write the journal in the background, so the host's loop never waits on the disk (the editor's, which others share) */
  journalInBackground?: boolean;
  /**
   * The most spans the store keeps in memory; tasks past them are counted (store.notKept).
   * Unbounded by default: only a host that tells its user what was not kept sets it (the CLI).
   */
  maxSpans?: number;
  /** the most printed lines the store keeps (the first ones); the others are counted (store.notKept.lines). Unbounded by default */
  maxLines?: number;
}

export class RunTrace {
  readonly store: TraceStore;
  /** the run's origin on the shared clock, µs */
  readonly origin = nowUs();
  private readonly builder: TraceBuilder;
  private readonly records: RecordDrain;
  private readonly journal: JournalWriter | undefined;
  private readonly logs: LogOrder;
  private poll: ReturnType<typeof setInterval> | undefined;
  /** where the program's main is defined: the place named when main waits on nothing the trace shows */
  mainSite: Site | undefined;
  /** where main's thread was running its own code when the run was cut short, if that was looked at */
  mainAt: Site | undefined;
  private behind = false;
  private paced = false;
  private readonly watchers: (() => void)[] = [];
  private lastProgress = 0;

  constructor(
    file: string,
    private readonly opts: RunTraceOptions,
  ) {
    const language = languageOf(file);
    this.store = new TraceStore({ file, startedAt: new Date().toISOString(), ...(language ? { language } : {}) });
    this.builder = new TraceBuilder(this.store, this.origin, {
      ...KEEP_ALL,
      maxSpans: opts.maxSpans ?? Infinity,
      ...(opts.maxLines === undefined ? {} : { maxLines: opts.maxLines }),
    });
    const { meta } = this.store;
    this.journal =
      opts.journal === undefined
        ? undefined
        : new JournalWriter(opts.journal, { file, startedAt: meta.startedAt, origin: this.origin, ...(language ? { language } : {}) }, opts.journalInBackground);
    this.records = new RecordDrain(this.builder, this.journal);
    this.logs = new LogOrder(this.builder, this.store, this.origin, opts.onLog);
  }

  addSource(source: RecordSource): void {
    this.records.add(source);
  }

  /** Calls `fn` after each read of the sources while the run goes on. */
  watch(fn: () => void): void {
    this.watchers.push(fn);
  }

  /** Draws main's running time from here on, read from `view` after each read of the sources; its stretches go out as host records. */
  watchMain(view: MainThreadView, site: Site | undefined): MainActivity {
    const records = new HostRecords();
    this.addSource(records);
    const activity = new MainActivity(this.store, records, this.origin, view, site);
    this.watch(() => activity.sample());
    return activity;
  }

  /**
   * Reads the sources every few milliseconds until `stopReading`. `paced`: for sources that lose
   * nothing when read late, a turn every PACED_POLL_MS that reads for PACED_SLICE_MS at most, until `catchUp`.
   */
  startReading(paced = false): void {
    this.paced = paced;
    this.poll ??= setInterval(
      () => {
        this.read();
        for (const w of this.watchers) w();
      },
      paced ? PACED_POLL_MS : POLL_MS,
    );
  }

  /** The program has ended: reads what the sources hold, in turns that give the host's loop back between them. */
  catchUp(): Promise<void> {
    this.paced = false;
    return new Promise((resolve) => {
      const turn = () => {
        const more = this.records.read(performance.now() + SLICE_MS);
        this.handOn(false);
        if (more) setImmediate(turn);
        else resolve();
      };
      turn();
    });
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
    if (this.paced) {
      this.records.read(performance.now() + PACED_SLICE_MS);
      this.handOn(false);
      return;
    }
    if (this.records.read(performance.now() + SLICE_MS) && !this.behind && this.poll) {
      this.behind = true;
      setImmediate(() => {
        this.behind = false;
        // Reading stopped meanwhile: the run is closed and its sources may be too.
        if (this.poll) this.read();
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

  /** The run's threads or processes are gone: reads what they left and closes the trace with `r`; settles once the journal, if any, is on disk. */
  async close(r: Omit<RunResult, 'store'>): Promise<RunResult> {
    this.stopReading();
    this.records.read();
    this.handOn(true);
    this.reportDropped();
    const store = this.store;
    this.builder.finish(nowUs());
    if (r.outcome === 'deadlock') {
      store.meta.deadlock ??= lastOpenWait(store, this.mainSite);
      const { reason, site } = store.meta.deadlock;
      r.error = r.error ? { ...r.error, site: r.error.site ?? site } : { message: `deadlock: ${firstLine(reason)}`, site };
    }
    const cutShort = r.outcome === 'timeout' || r.outcome === 'stopped';
    const going = cutShort && r.error ? stillGoing(store, this.mainAt) : undefined;
    if (going) r.error = { ...r.error!, message: `${r.error!.message}: ${going.message}`, site: r.error!.site ?? going.site };
    // Nothing the trace shows was going on: main was in its own code, or awaiting its own promise.
    else if (cutShort && r.error) r.error.site ??= this.mainSite;
    if (r.error && !r.error.site && (r.outcome === 'bad-input' || r.outcome === 'threw')) {
      r.error.site = lastMainWait(store)?.site ?? (r.outcome === 'bad-input' ? { file: store.meta.file, line: 1, col: 1 } : undefined);
    }
    store.meta.outcome = r.outcome;
    if (r.error && !store.meta.error) store.meta.error = r.error.stack ?? r.error.message;
    if (cutShort && this.mainAt) store.meta.stoppedAt = this.mainAt;
    const { outcome, error, deadlock, stoppedAt } = store.meta;
    this.journal?.end({
      outcome,
      endUs: this.origin + store.end,
      ...(error === undefined ? {} : { error }),
      ...(deadlock ? { deadlock } : {}),
      ...(stoppedAt ? { stoppedAt } : {}),
    });
    await this.journal?.closed;
    const journalFailed = this.journal?.failed;
    return { ...r, store, ...(journalFailed ? { journalFailed } : {}) };
  }

  /** A source that stayed full for seconds dropped records: say so rather than show a trace with holes. */
  private reportDropped(): void {
    const dropped = this.records.dropped;
    if (dropped === 0) return;
    this.logs.say({ lane: MAIN_LANE, ts: this.store.end, stream: 'stderr', text: `poolscope: ${dropped} trace records were lost: the host fell behind reading them` });
  }
}

const NEVER_SETTLES = 'main never returned: it awaits something that nothing left in the program can settle';

/** Where main was left waiting when its thread ran out of things to do. */
function lastOpenWait(store: TraceStore, mainSite: Site | undefined): DeadlockInfo {
  const span = lastMainWait(store, 'running');
  if (span) return { ts: span.start, site: span.site, job: span.job, reason: `${NEVER_SETTLES} (${span.name}() here never returned)` };
  // An await of the user's own promise: no wait the trace draws, so the place named is main.
  return { ts: store.end, site: mainSite, job: -1, reason: `${NEVER_SETTLES}${mainSite ? ' (an await in main, defined here, or in what it calls)' : ''}` };
}

/**
 * Main's latest wait: where it received an error made outside its own code (a result that
 * could not be cloned), or where it was left waiting.
 */
function lastMainWait(store: TraceStore, status?: 'running'): Span | undefined {
  for (let i = store.spanCount - 1; i >= 0; i--) {
    if (store.col.lane[i] === MAIN_LANE && store.kind(i) === 'wait' && (!status || store.status(i) === status)) return store.span(i);
  }
  return undefined;
}

/**
 * What a run that ran out of time or was stopped was doing: main's wait and the tasks and
 * callbacks still running, with their places (`mainAt`: where main's own code was running).
 */
function stillGoing(store: TraceStore, mainAt: Site | undefined): { message: string; site?: Site } | undefined {
  const parts: string[] = [];
  let site: Site | undefined;
  const wait = lastMainWait(store, 'running');
  if (wait) {
    parts.push(`main was waiting in ${wait.name}()${wait.site ? ` at ${formatSite(wait.site)}` : ''}`);
    site = wait.site;
  }
  const running: Span[] = [];
  for (let i = 0; i < store.spanCount; i++) {
    // Main in a wait is not running its own code, whatever the last reading of its thread said.
    if (store.status(i) === 'running' && store.kind(i) !== 'wait' && !(wait && store.kind(i) === 'run')) running.push(store.span(i));
  }
  const SHOWN = 3;
  for (const s of running.slice(0, SHOWN)) {
    const lane = store.laneById(s.lane)?.name ?? `lane ${s.lane}`;
    const at = s.site ? ` at ${formatSite(s.site)}` : '';
    const here = s.kind === 'run' ? mainAt : undefined;
    const what =
      s.kind === 'task'
        ? `task ${s.name}()${s.site ? ` submitted${at}` : ''}`
        : s.kind === 'run'
          ? `its own code without a pause${here ? ` at ${formatSite(here)}` : ''}${s.site ? ` (main${at})` : ''}`
          : `${s.kind} \`${s.name}\`${at}`;
    parts.push(`${lane} was running ${what} for ${((store.end - s.start) / 1e6).toFixed(1)} s`);
    site ??= here ?? s.site;
  }
  if (running.length > SHOWN) parts.push(`and ${running.length - SHOWN} more`);
  // No running time drawn for main (none read from outside its thread, or it was blocked in a call
  // the trace does not draw), yet the stop found it at a line of the program.
  if (mainAt && !wait && !running.some((s) => s.kind === 'run')) {
    parts.unshift(`Main was at ${formatSite(mainAt)}`);
    site = mainAt;
  }
  if (parts.length === 0) return undefined;
  return { message: parts.join('; '), site };
}
