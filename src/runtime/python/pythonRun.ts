// Runs a Python program, unchanged, under poolscope's tracer, from the host's side (the CLI or
// the extension host). Every process of the run appends records to its own file in a run folder
// made in the OS temp dir; the host tails those files into the same TraceBuilder and TraceStore
// the JavaScript runtime feeds, while the run goes on and once more at the end, so a stopped,
// crashed or deadlocked run keeps everything recorded. Nothing is written into the project.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { LogLine } from '../../trace/model';
import { LaneKindCode, Rec, type RawRecord } from '../../trace/records';
import { TraceBuilder } from '../../trace/builder';
import { TraceStore } from '../../trace/store';
import { nowUs } from '../record/clock';
import type { RunError, RunHandle, RunOptions, RunResult } from '../host/run';
import { RecordFile } from './recordFile';
import { MAIN_LANE, RunLanes } from './runLanes';
import { killTree } from './processTree';
import { BAD_INPUT_FILE, RUN_DIR_ENV, TASKS_ENV, TRACER_MAIN } from './tracerPaths';
import { pythonOutcome } from './pythonOutcome';

export interface PythonRunOptions extends RunOptions {
  /** the interpreter to run (default: python3 on PATH) */
  python?: string;
  /** the program's command-line arguments (its sys.argv[1:]) */
  args?: string[];
}

const POLL_MS = 25;
const DRAIN_SLICE_MS = 8;
const DRAIN_BYTES = 1 << 20;
/** Lines are handed on in time order once every file has been read past them. */
const LOG_HOLD_US = 30_000;

interface Source {
  file: RecordFile;
  /** the file's local lane ids, run-wide */
  local: number[];
}

export function startPythonRun(file: string, opts: PythonRunOptions = {}): RunHandle {
  const abs = resolve(file);
  const store = new TraceStore({ file: abs, startedAt: new Date().toISOString() });
  const origin = nowUs();
  const builder = new TraceBuilder(store, origin);
  const sources = new Map<string, Source>();
  const pipeStrings: string[] = [];
  let folder: string | undefined;
  let child: ChildProcess | undefined;
  let lanes: RunLanes | undefined;
  let heldLogs: LogLine[] = [];
  let lastProgress = 0;
  let deadlocked = false;
  let result: Partial<RunResult> | undefined;
  let finished: (() => void) | undefined;

  const end = (r: Partial<RunResult>) => {
    if (result) return;
    result = r;
    finished?.();
  };

  const feed = (r: RawRecord, strings: string[]) => {
    builder.consume(r, strings);
    if (r.type === Rec.DEADLOCK && !deadlocked) {
      deadlocked = true;
      end({ outcome: 'deadlock' });
    }
  };
  feed({ type: Rec.LANE, lane: MAIN_LANE, ts: origin, a: MAIN_LANE, b: LaneKindCode.main, c: -1, d: 0, e: 0, f: 0, text: 'Main' }, pipeStrings);

  const emitLogs = (all: boolean) => {
    heldLogs = heldLogs.concat(builder.takeLogs());
    if (!opts.onLog || heldLogs.length === 0) return;
    heldLogs.sort((a, b) => a.ts - b.ts);
    const cut = all ? Infinity : nowUs() - origin - LOG_HOLD_US;
    const ready = heldLogs.filter((l) => l.ts <= cut);
    heldLogs = heldLogs.filter((l) => l.ts > cut);
    for (const l of ready) opts.onLog(l, store.laneById(l.lane));
  };

  // Each turn reads for a few milliseconds at most: the host may be an editor.
  let behind = false;
  const drain = (final = false) => {
    if (!folder || !lanes) return;
    const until = final ? Infinity : performance.now() + DRAIN_SLICE_MS;
    let more = false;
    for (const name of readdirSync(folder)) {
      if (!name.endsWith('.rec') || sources.has(name)) continue;
      sources.set(name, { file: new RecordFile(join(folder, name)), local: [] });
    }
    for (const { file, local } of sources.values()) {
      const onRecord = (r: RawRecord) => lanes!.remap(r, local) && feed(r, file.strings);
      while (file.read(onRecord, DRAIN_BYTES)) {
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

  /** A line the interpreter wrote to its real stdout/stderr (before the tracer ran, or from C code or a child): Main's. */
  const pipeLine = (stream: 1 | 2, text: string) =>
    feed({ type: Rec.LOG, lane: MAIN_LANE, ts: nowUs(), a: stream, b: 0, c: 0, d: 0, e: 0, f: 0, text }, pipeStrings);

  const done = (async (): Promise<RunResult> => {
    if (!existsSync(abs) || !statSync(abs).isFile()) return badInput({ message: 'no such file', site: { file: abs, line: 1, col: 1 } });
    folder = mkdtempSync(join(tmpdir(), 'poolscope-py-'));
    const python = opts.python ?? 'python3';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((settle) => {
      if (result) return settle({ code: null, signal: null });
      child = spawn(python, [TRACER_MAIN, basename(abs), ...(opts.args ?? [])], {
        cwd: dirname(abs),
        env: { ...process.env, [RUN_DIR_ENV]: folder, [TASKS_ENV]: opts.trace === false ? '0' : '1' },
        // Its own process group, so the whole tree can be ended at once.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.on('error', (spawnError) => settle({ code: null, signal: null, spawnError }));
      child.on('exit', (code, signal) => settle({ code, signal }));
      for (const [stream, pipe] of [[1, child.stdout], [2, child.stderr]] as const) {
        let partial = '';
        pipe!.setEncoding('utf8');
        pipe!.on('data', (s: string) => {
          const lines = (partial + s).split('\n');
          partial = lines.pop()!;
          for (const l of lines) pipeLine(stream, l);
        });
        pipe!.on('end', () => partial && pipeLine(stream, partial));
      }
    });
    if (child?.pid !== undefined) lanes = new RunLanes(child.pid);
    const poll = setInterval(drain, POLL_MS);
    const timer = opts.timeoutMs ? setTimeout(() => end({ outcome: 'timeout', error: { message: `the run took longer than ${opts.timeoutMs} ms` } }), opts.timeoutMs) : undefined;
    const ended = new Promise<void>((r) => (finished = r));
    const exit = await Promise.race([exited, ended.then(() => undefined)]);
    clearInterval(poll);
    if (timer) clearTimeout(timer);
    // Every process of the run ends here (also after a normal exit: nothing outlives its run).
    if (child?.pid !== undefined) killTree(child.pid);
    const last = exit ?? (await exited);
    drain(true);
    for (const s of sources.values()) s.file.close();
    builder.finish(nowUs());
    const badInputFile = join(folder, BAD_INPUT_FILE);
    const bad = existsSync(badInputFile) ? (JSON.parse(readFileSync(badInputFile, 'utf8')) as { message: string; file: string; line: number; col: number }) : undefined;
    rmSync(folder, { recursive: true, force: true });
    if (last.spawnError) {
      const notFound = (last.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      return badInput({ message: notFound ? `${python} was not found: poolscope runs Python programs with Python 3.9 or later` : `${python} could not start: ${last.spawnError.message}` });
    }
    if (bad) return badInput({ message: bad.message, site: { file: bad.file, line: bad.line, col: bad.col } });
    const r = result ?? pythonOutcome(store, last.code, last.signal, dirname(abs));
    store.meta.outcome = r.outcome!;
    if (r.outcome === 'deadlock' && store.meta.deadlock) r.error = { message: `deadlock: ${store.meta.deadlock.reason.split('\n')[0]}`, site: store.meta.deadlock.site };
    if (r.error && !store.meta.error) store.meta.error = r.error.stack ?? r.error.message;
    return { outcome: r.outcome!, error: r.error, store };
  })();

  function badInput(error: RunError): RunResult {
    store.meta.outcome = 'bad-input';
    store.meta.error = error.message;
    return { outcome: 'bad-input', store, error };
  }

  return {
    store,
    done,
    async stop() {
      end({ outcome: 'stopped' });
      await done;
    },
  };
}

