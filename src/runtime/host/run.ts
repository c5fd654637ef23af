// Runs a task file, from the host's side (the CLI process or the extension host). User code
// never runs here: main runs in its own worker thread, the pool workers beside it. The host
// reads every thread's ring into the trace store as the run goes, and once more at the end,
// so a stopped, crashed or deadlocked run keeps everything recorded up to that moment.
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DeadlockInfo, Lane, LogLine, RunOutcome, Site } from '../../trace/model';
import { MAIN_LANE } from '../record/lanes';
import type { RawRecord } from '../../trace/records';
import { TraceBuilder, type Progress } from '../../trace/builder';
import { TraceStore } from '../../trace/store';
import { nowUs } from '../record/clock';
import { CompileError, compileTaskFile, type Compiled } from '../compile/compile';
import { spawnThread } from './spawnThread';
import { createRingBuffer, RingReader } from '../record/eventRing';
import type { MainToHost, MainWorkerData } from './mainThreadMessages';

export interface RunOptions {
  /** size of pools created without one (default: the machine's parallelism) */
  workers?: number;
  /** ends the run with outcome 'timeout' after this long; 0 or undefined: no limit */
  timeoutMs?: number;
  /** false: record printed lines, lifecycle and deadlocks only, not every task, callback and wait */
  trace?: boolean;
  onLog?(line: LogLine, lane: Lane | undefined): void;
  onProgress?(p: Progress): void;
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
}

export interface RunHandle {
  readonly store: TraceStore;
  stop(): Promise<void>;
  readonly done: Promise<RunResult>;
}

/** Main writes about 200 bytes a task; the host may fall behind in a burst, so room for ~300k. */
const MAIN_RING_BYTES = 64 * 1024 * 1024;
const POLL_MS = 25;
const DRAIN_SLICE_MS = 8;
const DRAIN_CHUNK = 2048;
/** Lines are handed on in time order once every ring has been read past them. */
const LOG_HOLD_US = 30_000;

interface Ring {
  reader: RingReader;
  strings: string[];
}

export function startRun(file: string, opts: RunOptions = {}): RunHandle {
  const abs = resolve(file);
  const store = new TraceStore({ file: abs, startedAt: new Date().toISOString() });
  const origin = nowUs();
  const builder = new TraceBuilder(store, origin);
  const rings: Ring[] = [];
  let heldLogs: LogLine[] = [];
  let worker: Worker | undefined;
  const poolWorkers = new Map<number, Worker>();
  let finished: ((r: Omit<RunResult, 'store'>) => void) | undefined;
  let result: Omit<RunResult, 'store'> | undefined;
  let lastProgress = 0;

  const emitLogs = (all: boolean) => {
    heldLogs = heldLogs.concat(builder.takeLogs());
    if (!opts.onLog || heldLogs.length === 0) return;
    heldLogs.sort((a, b) => a.ts - b.ts);
    const cut = all ? Infinity : nowUs() - origin - LOG_HOLD_US;
    const ready = heldLogs.filter((l) => l.ts <= cut);
    heldLogs = heldLogs.filter((l) => l.ts > cut);
    for (const l of ready) opts.onLog(l, store.laneById(l.lane));
  };

  // The host may be an editor: each turn reads for a few milliseconds at most and comes back
  // at once if the rings hold more, so a burst of records never stalls its event loop.
  let behind = false;
  const drain = (final = false) => {
    const until = final ? Infinity : performance.now() + DRAIN_SLICE_MS;
    let more = false;
    for (const ring of rings) {
      const consume = (r: RawRecord) => builder.consume(r, ring.strings);
      while (ring.reader.drain(consume, DRAIN_CHUNK) === DRAIN_CHUNK) {
        if (performance.now() > until) {
          more = true;
          break;
        }
      }
    }
    if (more && !behind && !result) {
      behind = true;
      setImmediate(() => {
        behind = false;
        drain();
      });
    }
    emitLogs(final);
    const now = Date.now();
    if (opts.onProgress && (final || now - lastProgress >= 100)) {
      lastProgress = now;
      opts.onProgress({ ...builder.progress });
    }
  };

  const end = (r: Omit<RunResult, 'store'>) => {
    if (result) return;
    result = r;
    finished?.(r);
  };

  const done = (async (): Promise<RunResult> => {
    let compiled: Compiled;
    try {
      compiled = await compileTaskFile(abs);
    } catch (e) {
      const error = e instanceof CompileError ? { message: e.message, site: e.site } : { message: String(e) };
      store.meta.outcome = 'bad-input';
      store.meta.error = error.message;
      return { outcome: 'bad-input', store, error };
    }
    const ended = new Promise<Omit<RunResult, 'store'>>((r) => (finished = r));
    if (result) finished!(result); // stopped while compiling
    const mainRing = createRingBuffer(MAIN_RING_BYTES);
    rings.push({ reader: new RingReader(mainRing), strings: [] });
    const data: MainWorkerData = {
      file: abs,
      bundle: compiled.bundle,
      ring: mainRing,
      defaultWorkers: opts.workers && opts.workers > 0 ? opts.workers : availableParallelism(),
      traceTasks: opts.trace !== false,
    };
    if (!result) {
      worker = spawnThread('main-worker.mjs', data);
      worker.on('message', (m: MainToHost) => {
        if (m.t === 'ring') rings.push({ reader: new RingReader(m.ring), strings: [] });
        else if (m.t === 'spawn') {
          const w = spawnThread('pool-worker.mjs', m.data, [m.data.port!]);
          poolWorkers.set(m.lane, w);
          // A crash ends the thread, which closes its channel: main learns of it there.
          w.on('error', () => undefined);
          w.on('exit', () => poolWorkers.delete(m.lane));
        } else if (m.t === 'terminate') void poolWorkers.get(m.lane)?.terminate();
        else if (m.t === 'deadlock') end({ outcome: 'deadlock' });
        else if (m.t === 'bad-input') end({ outcome: 'bad-input', error: { message: m.message, site: m.site, stack: m.stack } });
        else if (m.ok) end({ outcome: 'returned' });
        else end({ outcome: 'threw', error: { message: firstLine(m.error), stack: m.error } });
      });
      worker.on('error', (e) => end({ outcome: 'threw', error: { message: `${e.name}: ${e.message}`, stack: e.stack } }));
      worker.on('exit', (code) =>
        end(
          code === 0
            ? { outcome: 'deadlock', error: { message: NEVER_SETTLES } }
            : { outcome: 'crashed', error: { message: `main's thread exited with code ${code} before main returned` } },
        ),
      );
    }
    const poll = setInterval(drain, POLL_MS);
    const timer = opts.timeoutMs ? setTimeout(() => end({ outcome: 'timeout', error: { message: `the run took longer than ${opts.timeoutMs} ms` } }), opts.timeoutMs) : undefined;
    const r = await ended;
    clearInterval(poll);
    if (timer) clearTimeout(timer);
    // Every thread of the run stops here; the rings keep what they wrote.
    await Promise.all([worker?.terminate(), ...[...poolWorkers.values()].map((w) => w.terminate())]);
    drain(true);
    reportDropped(rings, store, opts.onLog);
    builder.finish(nowUs());
    if (r.outcome === 'deadlock' && !store.meta.deadlock) store.meta.deadlock = lastOpenWait(store);
    if (r.outcome === 'deadlock' && store.meta.deadlock && !r.error) {
      r.error = { message: `deadlock: ${firstLine(store.meta.deadlock.reason)}`, site: store.meta.deadlock.site };
    }
    store.meta.outcome = r.outcome;
    if (r.error && !store.meta.error) store.meta.error = r.error.stack ?? r.error.message;
    rmSync(dirname(compiled.bundle), { recursive: true, force: true });
    return { ...r, store };
  })();

  return {
    store,
    done,
    async stop() {
      end({ outcome: 'stopped' });
      await done;
    },
  };
}

/** A thread whose ring stayed full for seconds dropped records: say so rather than show a trace with holes. */
function reportDropped(rings: Ring[], store: TraceStore, onLog: RunOptions['onLog']): void {
  const dropped = rings.reduce((n, ring) => n + ring.reader.dropped, 0);
  if (dropped === 0) return;
  const line: LogLine = { lane: MAIN_LANE, ts: store.end, stream: 'stderr', text: `poolscope: ${dropped} trace records were lost: the host fell behind reading them` };
  store.addLog(line);
  onLog?.(line, store.laneById(MAIN_LANE));
}

const NEVER_SETTLES = 'main never returned: it awaits something that nothing left in the program can settle';

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

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0];
}
