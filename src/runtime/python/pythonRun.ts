// Runs a Python program, unchanged, under poolscope's tracer, from the host's side (the CLI or
// the extension host). Every process of the run appends records to its own file in a run folder
// made in the OS temp dir; the host reads those files into the same trace as a task file's run
// (RunTrace), while the run goes on and once more at its end, so a stopped, crashed or
// deadlocked run keeps everything recorded. Nothing is written into the program's folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { makeRunFolder } from '../host/runFolders';
import { Rec, type RawRecord } from '../../trace/records';
import { parseSite, type Site } from '../../trace/model';
import { LOOK_MS, runHandle, type RunError, type RunHandle, type RunOptions, type RunResult } from '../host/run';
import { RunTrace } from '../host/runTrace';
import { RunEnd, type RunEnding } from '../host/runEnd';
import type { MainActivity } from '../host/mainActivity';
import { pythonMain } from './pythonMainThread';
import { RecordFile } from './recordFile';
import { RunLanes } from './runLanes';
import { PipeLines, ProcessRecords } from './runSources';
import { killTree } from './processTree';
import { BAD_INPUT_FILE, RUN_DIR_ENV, TASKS_ENV, TRACER_MAIN, WHERE_MAIN_FILE, WHERE_MAIN_SIGNAL } from './tracerPaths';
import { pythonOutcome } from './pythonOutcome';

export interface PythonRunOptions extends RunOptions {
  /** the interpreter to run (default: python3 on PATH) */
  python?: string;
  /** the program's command-line arguments (its sys.argv[1:]) */
  args?: string[];
}

/** After the program's process tree is gone, how long its last output may take to arrive. */
const PIPES_CLOSE_MS = 1000;
/** How often a run being stopped looks for the tracer's answer, where main is (for at most LOOK_MS). */
const LOOK_EVERY_MS = 5;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: NodeJS.ErrnoException;
}

export function startPythonRun(file: string, opts: PythonRunOptions = {}): RunHandle {
  const run = new PythonRun(resolve(file), opts);
  return runHandle(run, run.run());
}

class PythonRun {
  readonly trace: RunTrace;
  readonly end = new RunEnd();
  private readonly pipes = new PipeLines();
  private readonly files = new Map<string, ProcessRecords>();
  private folder = '';
  private lanes: RunLanes | undefined;
  private child: ChildProcess | undefined;
  private activity: MainActivity | undefined;

  constructor(
    private readonly file: string,
    private readonly opts: PythonRunOptions,
  ) {
    this.trace = new RunTrace(file, opts);
    this.trace.addSource(this.pipes);
  }

  async run(): Promise<RunResult> {
    if (!existsSync(this.file) || !statSync(this.file).isFile()) return this.badInput({ message: 'no such file', site: { file: this.file, line: 1, col: 1 } });
    this.folder = makeRunFolder('py');
    try {
      const exited = this.start();
      // The run folder is looked at for the files of new processes after each read.
      this.trace.watch(() => this.scan());
      this.trace.startReading(true);
      this.end.limitTo(this.opts.timeoutMs, () => ({ outcome: 'timeout', error: { message: `the run took longer than ${this.opts.timeoutMs} ms` } }));
      const first = await Promise.race([exited, this.end.ended]);
      this.end.clearLimit();
      const cutShort = 'outcome' in first && (first.outcome === 'timeout' || first.outcome === 'stopped');
      this.activity?.stop(cutShort);
      if (cutShort) this.trace.mainAt = await this.whereMain();
      // Every process of the run ends here, also after a normal exit: none outlives its run.
      if (this.child?.pid !== undefined) killTree(this.child.pid);
      const exit = 'outcome' in first ? await exited : first;
      await this.pipesClosed();
      this.scan();
      await this.trace.catchUp();
      const bad = this.badInputOf(exit);
      if (bad) return this.badInput(bad);
      return this.trace.close(this.end.result ?? pythonOutcome(this.trace.store, exit.code, exit.signal, dirname(this.file)));
    } finally {
      // A process that escaped the kill may still hold the interpreter's pipes: let go of them.
      this.child?.stdout?.destroy();
      this.child?.stderr?.destroy();
      for (const f of this.files.values()) f.file.close();
      rmSync(this.folder, { recursive: true, force: true });
    }
  }

  /**
   * Where main is, as the tracer tells when signalled (python/poolscope_tracer/stopsite.py): a main
   * that spins in its own code records nothing else that says so. Undefined if the program ended
   * first, or gave no answer within LOOK_MS.
   */
  private async whereMain(): Promise<Site | undefined> {
    const child = this.child;
    // Set by its 'exit' event, as the run's end is.
    const running = () => child?.exitCode === null && child.signalCode === null;
    if (child?.pid === undefined || !running()) return undefined;
    const path = join(this.folder, WHERE_MAIN_FILE);
    try {
      child.kill(WHERE_MAIN_SIGNAL);
    } catch {
      return undefined;
    }
    for (const until = Date.now() + LOOK_MS; running() && Date.now() < until; await new Promise((r) => setTimeout(r, LOOK_EVERY_MS))) {
      if (existsSync(path)) return parseSite(readFileSync(path, 'utf8'));
    }
    return undefined;
  }

  /** Starts the interpreter on the program; resolves when it has exited (or could not start). */
  private start(): Promise<Exit> {
    return new Promise((settle) => {
      if (this.end.over) return settle({ code: null, signal: null }); // stopped before it started
      const child = (this.child = spawn(this.opts.python ?? 'python3', [TRACER_MAIN, basename(this.file), ...(this.opts.args ?? [])], {
        cwd: dirname(this.file),
        env: { ...process.env, [RUN_DIR_ENV]: this.folder, [TASKS_ENV]: this.opts.trace === false ? '0' : '1' },
        // A process group of its own, so the whole tree can be ended at once.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      }));
      if (child.pid !== undefined) {
        this.lanes = new RunLanes(child.pid);
        this.watchMain(child.pid);
      }
      child.on('error', (spawnError) => settle({ code: null, signal: null, spawnError }));
      child.on('exit', (code, signal) => settle({ code, signal }));
      for (const [stream, pipe] of [[1, child.stdout!], [2, child.stderr!]] as const) {
        pipe.setEncoding('utf8');
        pipe.on('data', (s: string) => this.pipes.add(stream, s));
        pipe.on('end', () => this.pipes.add(stream, '', true));
      }
    });
  }

  /** Main's running time, drawn from here on: the interpreter's main thread runs the program. */
  private watchMain(pid: number): void {
    this.activity = this.trace.watchMain(pythonMain(pid), undefined);
  }

  /** The interpreter's stdout and stderr have given their last line (or a stray holder keeps them open). */
  private pipesClosed(): Promise<void> {
    const child = this.child;
    if (!child || child.stdout?.readableEnded !== false || child.stderr?.readableEnded !== false) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, PIPES_CLOSE_MS);
      child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Adds the record file of every process that started since the last look. */
  private scan(): void {
    const lanes = this.lanes;
    if (!lanes) return;
    for (const name of readdirSync(this.folder)) {
      if (!name.endsWith('.rec') || this.files.has(name)) continue;
      const source = new ProcessRecords(new RecordFile(join(this.folder, name)), lanes, (r) => this.seen(r));
      this.files.set(name, source);
      this.trace.addSource(source);
    }
  }

  private seen(r: RawRecord): void {
    if (r.type === Rec.DEADLOCK) this.end.end({ outcome: 'deadlock' });
  }

  /** Why the program could not run at all, if it could not. */
  private badInputOf(exit: Exit): RunError | undefined {
    const python = this.opts.python ?? 'python3';
    if (exit.spawnError) {
      return exit.spawnError.code === 'ENOENT'
        ? { message: `${python} was not found: poolscope runs Python programs with Python 3.9 or later (set the interpreter to use)` }
        : { message: `${python} could not start: ${exit.spawnError.message}` };
    }
    const path = join(this.folder, BAD_INPUT_FILE);
    if (!existsSync(path)) return undefined;
    const bad = JSON.parse(readFileSync(path, 'utf8')) as { message: string; file?: string; line?: number; col?: number };
    return { message: bad.message, site: bad.file ? { file: bad.file, line: bad.line ?? 1, col: bad.col ?? 1 } : undefined };
  }

  private badInput(error: RunError): Promise<RunResult> {
    const ending: RunEnding = { outcome: 'bad-input', error };
    return this.trace.close(ending);
  }
}
