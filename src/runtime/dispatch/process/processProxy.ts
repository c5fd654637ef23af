// The thread behind one worker lane of a process pool (Pool, ProcessPoolExecutor), started by
// the host like a pool worker thread. It starts the lane's child process and, whenever that
// child is idle, takes the next task from the pool's shared queue and hands it over: so dispatch
// goes on while main blocks, and no child holds a task another idle one could run. It copies
// the child's trace records into the lane's ring and posts its results to main, as a worker
// thread would. It sees the child end: an end the pool asked for (close, terminate,
// maxtasksperchild) or a death, which it records (the task lost, exit code or signal, why) and
// tells main of; a Pool's dead worker is replaced at once (at most once per RESPAWN_MIN_MS).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { serialize } from 'node:v8';
import { parentPort, workerData, type ResourceLimits } from 'node:worker_threads';
import { CPU_UNKNOWN, PoolAction, Rec, TaskStatus, WorkerAction } from '../../../trace/records';
import { nowUs } from '../../record/clock';
import { encodedA, encodedType, forEachEncoded, RingWriter } from '../../record/eventRing';
import { recorder } from '../../record/recorder';
import { setupThread } from '../../record/threadSetup';
import { distFile } from '../../host/distPaths';
import { TaskQueue, type TaskSink } from '../taskQueue';
import { WorkerEnd, WorkerState, type PoolWorkerData, type ProxyCommand, type ProxyToHost, type WorkerMessage } from '../workerProtocol';
import { frame, frameOf, FrameReader, FromChild, ToChild, type ChildInit } from './frames';

/** A Pool whose workers keep dying (a failing initializer) restarts each at most this often. */
const RESPAWN_MIN_MS = 200;
/** A child's records are read to their end before its death is told; a grandchild holding the pipe open must not stall that for ever. */
const RECORDS_GRACE_MS = 1000;
/** How many of a child's last stderr lines are kept to say why it died. */
const STDERR_TAIL = 40;

const data = workerData as PoolWorkerData;
const lane = data.lane;
setupThread({ ring: data.ring, lane, laneName: data.laneName, traceTasks: data.traceTasks });
const rec = recorder();
const ring = data.ring && new RingWriter(data.ring);
const queue = new TaskQueue(data.queue);
const port = data.port!;
const state = new Int32Array(data.state);
const opts = data.process!;
const post = (m: WorkerMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
const tellHost = (m: ProxyToHost) => parentPort?.postMessage(m);
const init: ChildInit = { lane, laneName: data.laneName, traceTasks: data.traceTasks, poolId: data.poolId, initializer: data.initializer, initargs: data.initargs };

class Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** tasks it finished */
  done = 0;
  /** the task handed to it and not finished (0: idle), whether its start reached the trace, and when it was handed over */
  current = 0;
  started = false;
  handedAt = 0;
  /** it was told to end (QUIT): no more tasks, or maxtasksperchild */
  quitSent = false;
  /** initialized: it may be handed tasks */
  ready = false;
  /** why the child said it was dying, if it saw it coming */
  dying: string | undefined;
  initFailed: string | undefined;
  readonly stderrTail: string[] = [];
  private over = false;
  /** RESULTS bodies of the read being handled: views into it, posted before it ends */
  private results: Buffer[] = [];
  private resultBytes = 0;
  private readonly tasksIn: Writable;
  private readonly recordsDone: Promise<void>;

  constructor(replaces: boolean) {
    this.proc = spawn(process.execPath, [...childFlags(data.resourceLimits), distFile('process-worker.mjs'), `--poolscope-of=${process.pid}`], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      // A host that is an editor runs on Electron: its binary is node only with this set.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.pid = this.proc.pid ?? -1;
    const stdio = this.proc.stdio;
    this.tasksIn = stdio[3] as Writable;
    const out = stdio[4] as Readable;
    const frames = new FrameReader((kind, body) => this.onFrame(kind, body));
    out.on('data', (chunk: Buffer) => {
      frames.push(chunk);
      // Results first: feeding may block this thread a while waiting for main's next task,
      // which main may send only once it has these.
      this.postResults();
      if (this.ready && this.current === 0) void feed();
    });
    this.recordsDone = new Promise((resolve) => {
      out.once('close', resolve);
      this.proc.once('error', () => resolve());
    });
    relayLines(stdio[1] as Readable, 1);
    relayLines(stdio[2] as Readable, 2, this.stderrTail);
    // A write to a child that just died fails; its death is told by 'exit'.
    this.tasksIn.on('error', () => undefined);
    (stdio as unknown as Writable[])[5].on('error', () => undefined);
    this.proc.once('error', (e) => {
      if (this.pid < 0) void this.gone(null, null, `could not be started: ${e.message}`);
    });
    this.proc.once('exit', (code, signal) => void this.gone(code, signal));
    if (this.pid > 0) tellHost({ t: 'child', pid: this.pid });
    rec.rec(Rec.WORKER, lane, WorkerAction.start, this.pid, replaces ? 1 : 0);
    this.send(frameOf(ToChild.INIT, serialize(init)));
  }

  send(bytes: Buffer): void {
    this.tasksIn.write(bytes);
  }

  /** The results of one read from the child go to main in one message (see WorkerMessage 'encoded'). */
  private postResults(): void {
    if (this.results.length === 0) return;
    const bytes = new Uint8Array(this.resultBytes);
    const view = new DataView(bytes.buffer);
    let at = 0;
    for (const r of this.results) {
      view.setUint32(at, r.length, true);
      bytes.set(r, at + 4);
      at += 4 + r.length;
    }
    this.results = [];
    this.resultBytes = 0;
    post({ t: 'encoded', bytes }, [bytes.buffer]);
  }

  private onFrame(kind: number, body: Buffer): void {
    switch (kind) {
      case FromChild.RECORDS:
        forEachEncoded(body, (start, used) => {
          if (this.current !== 0 && encodedType(body, start) === Rec.TASK_START && encodedA(body, start) === this.current) this.started = true;
          ring?.writeEncoded(body, start, used);
        });
        return;
      case FromChild.RESULTS:
        this.results.push(body);
        this.resultBytes += 4 + body.length;
        return;
      case FromChild.IDLE:
        if (this.current !== 0) this.done++;
        this.current = 0;
        this.ready = true;
        return;
      case FromChild.INIT_FAILED:
        this.initFailed = body.toString('utf8');
        post({ t: 'init-failed', error: this.initFailed });
        return;
      case FromChild.DYING:
        this.dying ??= body.toString('utf8');
        return;
    }
  }

  /** The child has ended: once its last records are in, say how, and go on as the pool wants. */
  private async gone(code: number | null, signal: NodeJS.Signals | null, failure?: string): Promise<void> {
    if (this.over) return;
    this.over = true;
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.recordsDone, new Promise((resolve) => (grace = setTimeout(resolve, RECORDS_GRACE_MS)))]);
    clearTimeout(grace);
    if (this.pid > 0) tellHost({ t: 'child-exit', pid: this.pid });
    if (child === this) child = undefined;
    const asked = stopping !== undefined || (this.quitSent && code === 0);
    const at = nowUs();
    if (asked) {
      if (this.current !== 0 && stopping !== undefined) this.lose(at, stopping);
      rec.recAt(at, Rec.WORKER, lane, WorkerAction.exit);
    } else {
      const why = failure ?? this.deathCause(code, signal);
      if (this.current !== 0) this.lose(at, why);
      rec.recAt(at, Rec.WORKER, lane, WorkerAction.died, code ?? -1, signal ? constants.signals[signal] : 0, this.current, 0, 0, why);
      post({ t: 'died', task: this.current, why });
    }
    const more = !queue.closed || queue.waiting;
    if (stopping !== undefined || !more || failure !== undefined) end();
    else if (asked) startChild(true);
    else if (opts.respawn) respawnSoon();
    else end();
  }

  /** The task it was running ends lost where the child ended (`at`). */
  private lose(at: number, why: string): void {
    if (!rec.tasks) return;
    if (!this.started) rec.recAt(this.handedAt, Rec.TASK_START, lane, this.current);
    rec.recAt(at, Rec.TASK_END, lane, this.current, TaskStatus.lost, 0, 0, CPU_UNKNOWN, 0, why);
  }

  private deathCause(code: number | null, signal: NodeJS.Signals | null): string {
    if (this.initFailed) return this.initFailed;
    const fatal = this.stderrTail.find((l) => l.includes('FATAL ERROR'));
    if (fatal && /out of memory/i.test(fatal)) return `ran out of memory (${fatal.trim()})`;
    if (this.dying) return this.dying;
    if (signal) return `killed by ${signal}${fatal ? `: ${fatal.trim()}` : ''}`;
    return `exited with code ${code}`;
  }
}

/** Node flags for a child that mirror a worker thread's resource limits. */
function childFlags(limits: ResourceLimits | undefined): string[] {
  const flags: string[] = [];
  if (limits?.maxOldGenerationSizeMb) flags.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  if (limits?.stackSizeMb) flags.push(`--stack-size=${Math.floor(limits.stackSizeMb * 1024)}`);
  return flags;
}

/** What a child prints past the runtime (a crash report, a fatal error) is kept as printed lines of its lane. */
function relayLines(stream: Readable, code: 1 | 2, tail?: string[]): void {
  let partial = '';
  const say = (line: string) => {
    rec.rec(Rec.LOG, lane, code, 0, 0, 0, 0, 0, line);
    if (!tail) return;
    tail.push(line);
    if (tail.length > STDERR_TAIL) tail.shift();
  };
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) say(line);
  });
  stream.on('end', () => {
    if (partial) say(partial);
    partial = '';
  });
}

let child: Child | undefined;
/** why the pool ended this worker, once it did */
let stopping: string | undefined;
let lastStart = -Infinity;
let respawnTimer: ReturnType<typeof setTimeout> | undefined;
let feeding = false;

function startChild(replaces: boolean): void {
  child = new Child(replaces);
  lastStart = performance.now();
}

function respawnSoon(): void {
  respawnTimer = setTimeout(
    () => {
      respawnTimer = undefined;
      if (stopping !== undefined) return end();
      rec.rec(Rec.POOL, lane, data.poolId, PoolAction.respawn, -1, lane);
      startChild(true);
    },
    Math.max(0, lastStart + RESPAWN_MIN_MS - performance.now()),
  );
}

/** Copies a task out of the queue into a frame for the child. */
class TaskFrame implements TaskSink {
  bytes: Buffer | undefined;
  taskId = 0;

  accept(taskId: number, bytes: Buffer, start: number, end: number): void {
    const f = frame(ToChild.TASK, 4 + end - start);
    f.writeInt32LE(taskId, 5);
    bytes.copy(f, 9, start, end);
    this.bytes = f;
    this.taskId = taskId;
  }
}
const taken = new TaskFrame();

/**
 * While the lane's child is idle: hands it the next task, waiting for one if need be, or tells it
 * to end. One loop per lane, whichever child is current: a wake it is given and cannot use (its
 * child died meanwhile) goes on to another lane's waiter, so no task waits while one is idle.
 */
async function feed(): Promise<void> {
  if (feeding) return;
  feeding = true;
  let woken = false;
  try {
    for (;;) {
      const c = child;
      if (!c || !c.ready || stopping !== undefined || c.current !== 0 || c.quitSent) {
        if (woken) queue.handOn();
        return;
      }
      if (opts.maxTasks > 0 && c.done >= opts.maxTasks) {
        c.quitSent = true;
        c.send(frameOf(ToChild.QUIT, ''));
        return;
      }
      const seq = queue.seq;
      if (queue.take(taken)) {
        c.current = taken.taskId;
        c.started = false;
        c.handedAt = nowUs();
        c.send(taken.bytes!);
        return;
      }
      if (queue.closed) {
        c.quitSent = true;
        c.send(frameOf(ToChild.QUIT, ''));
        return;
      }
      await queue.waitForWork(seq);
      woken = true;
    }
  } finally {
    feeding = false;
  }
}

/** Nothing more for this lane: main sees its channel close. */
function end(): void {
  clearTimeout(respawnTimer);
  state[WorkerState.END] = WorkerEnd.done;
  port.close();
}

port.on('message', (m: ProxyCommand) => {
  if (m.t !== 'terminate' || stopping !== undefined) return;
  stopping = m.why;
  if (child) child.proc.kill('SIGKILL');
  else end();
});
startChild(false);
