// Runs a task file, from the host's side (the CLI process or the extension host). User code
// never runs here: main runs in its own worker thread, the pool workers beside it. The
// host's side common to every kind of run (reading records, ordering lines, progress, closing
// the trace) is RunTrace; how a run ends is RunEnd; this file holds what is particular to a
// run on threads: compiling the task file, starting main, the pool threads main asks for,
// and stopping them all.
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Lane, LogLine, RunOutcome, Site } from '../../trace/model';
import type { Progress } from '../../trace/builder';
import type { TraceStore } from '../../trace/store';
import { CompileError, compileTaskFile, type Compiled } from '../compile/compile';
import { spawnThread } from './spawnThread';
import { createRingBuffer, RingReader } from '../record/eventRing';
import type { HostToMain, MainToHost, MainWorkerData } from './mainThreadMessages';
import { PoolThreads } from './poolThreads';
import { RunTrace } from './runTrace';
import { firstLine } from '../../trace/stacks';
import { RunEnd } from './runEnd';
import { nodeMain, type MainActivity } from './mainActivity';
import { whereThreadRuns } from './threadWhere';

export interface RunOptions {
  /** size of pools created without one (default: the machine's parallelism) */
  workers?: number;
  /** ends the run with outcome 'timeout' after this long; 0 or undefined: no limit */
  timeoutMs?: number;
  /** false: record printed lines, lifecycle and deadlocks only, not every task, callback and wait */
  trace?: boolean;
  /** the environment the program sees (default: this process's); an editor leaves out its own */
  env?: NodeJS.ProcessEnv;
  onLog?(line: LogLine, lane: Lane | undefined): void;
  onProgress?(p: Progress): void;
  /** where to keep the run's journal while it runs (every record read, on disk; ../journal/format.ts) */
  journal?: string;
  /** write the journal in the background: the host's loop never waits on the disk, and a host killed mid-write loses the writes under way */
  journalInBackground?: boolean;
  /** the most spans the store keeps in memory (default: no limit); tasks past them are counted (store.notKept) */
  maxSpans?: number;
  /** the most printed lines the store keeps in memory (default: no limit); the others are counted (store.notKept.lines) */
  maxLines?: number;
  /**
   * Bytes of the ring main records into (a power of two; default MAIN_RING_BYTES). The host holds
   * it while the run goes; in a burst main waits for the host once it is full, so a smaller ring
   * bounds the host's memory at the cost of main's pace.
   */
  mainRingBytes?: number;
}

export interface RunError {
  message: string;
  site?: Site;
  stack?: string;
}

export interface RunResult {
  outcome: RunOutcome;
  store: TraceStore;
  error?: RunError;
  /** the run's journal stopped short of its end (a full disk), and why: the store itself is whole */
  journalFailed?: string;
}

export interface RunHandle {
  readonly store: TraceStore;
  stop(): Promise<void>;
  readonly done: Promise<RunResult>;
}

/** Main writes about 200 bytes a task; the host may fall behind in a burst, so room for ~300k. */
const MAIN_RING_BYTES = 64 * 1024 * 1024;
/** How long a stopped run looks for where main is running its own code, at most (Stop ends a run within 2 s). */
export const LOOK_MS = 500;

export function startRun(file: string, opts: RunOptions = {}): RunHandle {
  const run = new ThreadRun(resolve(file), opts);
  return runHandle(run, run.run());
}

/** A started run's handle, whatever runs the program: its store, its result to come, and Stop. */
export function runHandle(run: { trace: RunTrace; end: RunEnd }, done: Promise<RunResult>): RunHandle {
  return {
    store: run.trace.store,
    done,
    async stop() {
      run.end.end({ outcome: 'stopped', error: { message: 'stopped' } });
      await done;
    },
  };
}

class ThreadRun {
  readonly trace: RunTrace;
  readonly end = new RunEnd();
  private main: Worker | undefined;
  private activity: MainActivity | undefined;
  private readonly poolThreads = new PoolThreads(
    () => this.end.over,
    () => this.opts.env,
    (lane, exit) => this.main?.postMessage({ t: 'exited', lane, exit } satisfies HostToMain),
  );

  constructor(
    private readonly file: string,
    private readonly opts: RunOptions,
  ) {
    this.trace = new RunTrace(file, opts);
  }

  async run(): Promise<RunResult> {
    let compiled: Compiled;
    try {
      compiled = await compileTaskFile(this.file);
    } catch (e) {
      const error = e instanceof CompileError ? { message: e.message, site: e.site } : { message: String(e) };
      const store = this.trace.store;
      store.meta.outcome = 'bad-input';
      store.meta.error = error.message;
      return { outcome: 'bad-input', store, error };
    }
    try {
      if (!this.end.over) this.startMain(compiled); // else stopped while compiling
      this.trace.startReading();
      this.end.limitTo(this.opts.timeoutMs, () => ({ outcome: 'timeout', error: { message: `the run took longer than ${this.opts.timeoutMs} ms` } }));
      const r = await this.end.ended;
      const cutShort = r.outcome === 'timeout' || r.outcome === 'stopped';
      const activity = this.activity;
      activity?.stop(cutShort);
      if (cutShort && activity?.running && this.main) this.trace.mainAt = await whereThreadRuns(this.main.threadId, compiled.bundle, LOOK_MS);
      this.end.clearLimit();
      await this.stopThreads();
      return this.trace.close(r);
    } finally {
      rmSync(dirname(compiled.bundle), { recursive: true, force: true });
    }
  }

  private startMain(compiled: Compiled): void {
    const ring = createRingBuffer(this.opts.mainRingBytes ?? MAIN_RING_BYTES);
    this.trace.addSource(new RingReader(ring));
    const data: MainWorkerData = {
      file: this.file,
      bundle: compiled.bundle,
      ring,
      defaultWorkers: this.opts.workers && this.opts.workers > 0 ? this.opts.workers : availableParallelism(),
      traceTasks: this.opts.trace !== false,
    };
    const main = (this.main = spawnThread('main-worker.mjs', data, [], undefined, this.opts.env));
    main.on('message', (m: MainToHost) => this.onMainMessage(m));
    main.on('error', (e) => this.end.end({ outcome: 'threw', error: { message: `${e.name}: ${e.message}`, stack: e.stack } }));
    main.on('exit', (code) =>
      this.end.end(
        code === 0
          ? { outcome: 'deadlock' } // its event loop ran dry with main still awaiting
          : { outcome: 'crashed', error: { message: `main's thread exited with code ${code} before main returned` } },
      ),
    );
  }

  private onMainMessage(m: MainToHost): void {
    const end = this.end;
    if (m.t === 'ring') this.trace.addSource(new RingReader(m.ring));
    else if (m.t === 'main') this.mainCalled(m.site);
    else if (m.t === 'spawn') this.poolThreads.start(m.lane, m.script, m.data);
    else if (m.t === 'terminate') this.poolThreads.terminate(m.lane);
    else if (m.t === 'deadlock') end.end({ outcome: 'deadlock' });
    else if (m.t === 'exit') {
      const message = `main called process.exit(${m.code})${m.site ? '' : ' before main returned'}`;
      end.end(m.code === 0 ? { outcome: 'returned' } : { outcome: 'crashed', error: { message, site: m.site } });
    } else if (m.t === 'bad-input') end.end({ outcome: 'bad-input', error: { message: m.message, site: m.site, stack: m.stack } });
    else if (m.ok) end.end({ outcome: 'returned' });
    else end.end({ outcome: 'threw', error: { message: firstLine(m.error), site: m.site, stack: m.error } });
  }

  /** From here on, main's thread runs the user's code: its running time is main's. */
  private mainCalled(site: Site | undefined): void {
    this.trace.mainSite = site;
    const main = this.main!;
    this.activity = this.trace.watchMain(
      nodeMain(() => main.performance.eventLoopUtilization().active),
      site,
    );
  }

  /** Every thread and child process of the run stops here; the rings keep what they wrote. */
  private async stopThreads(): Promise<void> {
    await Promise.all([this.main?.terminate(), this.poolThreads.stop()]);
  }
}
