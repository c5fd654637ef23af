// The thread behind one worker lane of a process pool (Pool, ProcessPoolExecutor), started by
// the host like a pool worker thread. It starts the lane's child process and, whenever that
// child is idle and a task is queued, takes it from the pool's shared queue and hands it over:
// so dispatch goes on while main blocks, and no child holds a task another idle one could run.
// (Main hands an idle child a task itself when nothing is queued; the lane's TASK cell says who
// did. The child's results go to main directly.) It copies the child's trace records into the
// lane's ring, as a worker thread would write them. It sees the child end: an end the pool asked for (close, terminate,
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
import { LANE_IDLE, WorkerEnd, WorkerState, type HostToProxy, type PoolWorkerData, type ProxyCommand, type ProxyToHost, type WorkerMessage } from '../workerProtocol';
import { frame, frameOf, FrameReader, FromChild, ToChild, type ChildInit } from './frames';

/** A Pool whose workers keep dying (a failing initializer) restarts each at most this often. */
const RESPAWN_MIN_MS = 200;
/** A child's records are read to their end before its death is told; a grandchild holding the pipe open must not stall that for ever. */
const RECORDS_GRACE_MS = 1000;
/**
 * While nothing is queued, main hands an idle child its tasks itself and frees the lane as the
 * result comes in: then what the child tells its proxy (records, IDLE) is read this often, not
 * as it comes, so a task wakes two threads (the child, then main), not four.
 */
const GLANCE_MS = 5;
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
const handedAt = new Float64Array(data.state, WorkerState.HANDED_AT_BYTE, 1);
const opts = data.process!;
const post = (m: WorkerMessage) => port.postMessage(m);
const tellHost = (m: ProxyToHost) => parentPort?.postMessage(m);
const init: ChildInit = {
  lane,
  laneName: data.laneName,
  traceTasks: data.traceTasks,
  poolId: data.poolId,
  initializer: data.initializer,
  initargs: data.initargs,
  mainPath: opts.mainPath,
};

class Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** tasks it finished */
  done = 0;
  /** the last task whose start, and whose end, reached the trace */
  private startedTask = 0;
  private endedTask = 0;
  /** it has connected to main, which reads what it sent there before hearing of its death */
  private connected = false;
  /** it was told to end (QUIT): no more tasks, or maxtasksperchild */
  quitSent = false;
  /** initialized: it may be handed tasks */
  ready = false;
  /** why the child said it was dying, if it saw it coming */
  dying: string | undefined;
  initFailed: string | undefined;
  readonly stderrTail: string[] = [];
  private over = false;
  private readonly tasksIn: Writable;
  private readonly out: Readable;
  /** what it tells this thread is read as it comes (else at each glance) */
  private watching = true;
  private readonly glance: ReturnType<typeof setInterval>;
  private readonly recordsDone: Promise<void>;

  constructor(replaces: boolean) {
    this.proc = spawn(process.execPath, [...childFlags(data.resourceLimits), distFile('process-worker.mjs'), `--poolscope-of=${process.pid}`], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      // A host that is an editor runs on Electron: its binary is node only with this set.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.pid = this.proc.pid ?? -1;
    Atomics.store(state, WorkerState.PID, this.pid);
    const stdio = this.proc.stdio;
    this.tasksIn = stdio[3] as Writable;
    const out = (this.out = stdio[4] as Readable);
    const frames = new FrameReader((kind, body) => this.onFrame(kind, body));
    out.on('data', (chunk: Buffer) => {
      frames.push(chunk);
      if (!this.watching && !this.over) out.pause();
      if (this.ready) void feed();
    });
    this.glance = setInterval(() => {
      if (!this.watching) out.resume();
    }, GLANCE_MS);
    this.glance.unref();
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

  /** Read what it says as it comes (a task this thread waits to see end), or only at each glance. */
  watch(on: boolean): void {
    if (on === this.watching) return;
    this.watching = on;
    if (on) this.out.resume();
  }

  private onFrame(kind: number, body: Buffer): void {
    switch (kind) {
      case FromChild.RECORDS:
        forEachEncoded(body, (start, used) => {
          if (encodedType(body, start) === Rec.TASK_START) this.startedTask = encodedA(body, start);
          ring?.writeEncoded(body, start, used);
        });
        return;
      case FromChild.IDLE: {
        const task = body.readInt32LE(0);
        if (task === 0) {
          this.ready = true;
          Atomics.store(state, WorkerState.TASK, LANE_IDLE);
          return;
        }
        this.done++;
        this.endedTask = task;
        Atomics.add(state, WorkerState.ENDS_READ, 1);
        // Main frees the lane as the result comes in, if it is first.
        Atomics.compareExchange(state, WorkerState.TASK, task, LANE_IDLE);
        return;
      }
      case FromChild.RESULTS: {
        const copy = new Uint8Array(body);
        port.postMessage({ t: 'relayed', pid: this.pid, body: copy } satisfies WorkerMessage, [copy.buffer]);
        return;
      }
      case FromChild.CONNECTED:
        this.connected = true;
        Atomics.add(state, WorkerState.CONNECTED, 1);
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
    if (this.over || reaping) return;
    this.over = true;
    // No one may hand it anything more; what it held is lost, unless its end is among its last records.
    const held = Atomics.exchange(state, WorkerState.TASK, 0);
    clearInterval(this.glance);
    this.out.resume();
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.recordsDone, new Promise((resolve) => (grace = setTimeout(resolve, RECORDS_GRACE_MS)))]);
    clearTimeout(grace);
    if (this.pid > 0) tellHost({ t: 'child-exit', pid: this.pid });
    if (child === this) child = undefined;
    const asked = stopping !== undefined || (this.quitSent && code === 0);
    const lost = held > 0 && held !== this.endedTask ? held : 0;
    const at = nowUs();
    if (asked) {
      if (lost !== 0 && stopping !== undefined) this.lose(at, lost, stopping);
      rec.recAt(at, Rec.WORKER, lane, WorkerAction.exit);
    } else {
      const why = failure ?? this.deathCause(code, signal);
      if (lost !== 0) this.lose(at, lost, why);
      rec.recAt(at, Rec.WORKER, lane, WorkerAction.died, code ?? -1, signal ? constants.signals[signal] : 0, lost, 0, 0, why);
      post({ t: 'died', task: lost, why, pid: this.pid, connected: this.connected, ended: this.endedTask });
    }
    const more = !queue.closed || queue.waiting;
    if (stopping !== undefined || !more || failure !== undefined) end();
    else if (asked) startChild(true);
    else if (opts.respawn) respawnSoon();
    else end();
  }

  /** The task it was running ends lost where the child ended (`at`). */
  private lose(at: number, task: number, why: string): void {
    if (!rec.tasks) return;
    if (this.startedTask !== task) rec.recAt(handedAt[0], Rec.TASK_START, lane, task);
    rec.recAt(at, Rec.TASK_END, lane, task, TaskStatus.lost, 0, 0, CPU_UNKNOWN, 0, why);
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
  if (reaping) return;
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
 * Hands the lane's child the next queued task once it is idle, waiting for one if need be, or
 * tells it to end. One loop per lane, whichever child is current: a wake it is given and cannot
 * use (its child died meanwhile, or is busy) goes on to another lane's waiter, so no task waits
 * while one is idle. The lane is claimed (TASK from idle to 0) before the queue is touched: main
 * claims it the same way to hand a task itself. While nothing is queued this loop waits for the
 * queue, whether the child is idle or running a task main handed it; once something is, and the
 * child is busy, its IDLE brings this loop back.
 */
async function feed(): Promise<void> {
  if (feeding) return;
  feeding = true;
  let woken = false;
  try {
    for (;;) {
      const c = child;
      if (!c || !c.ready || stopping !== undefined || c.quitSent) {
        if (woken) queue.handOn();
        return;
      }
      const seq = queue.seq;
      // It ran its maxtasksperchild, or the queue is closed and empty: once idle, it ends.
      const over = (opts.maxTasks > 0 && c.done >= opts.maxTasks) || (queue.closed && !queue.waiting);
      if (!over && !queue.waiting) {
        c.watch(opts.maxTasks > 0);
        await queue.waitForWork(seq);
        woken = true;
        continue;
      }
      if (Atomics.load(state, WorkerState.TASK) !== LANE_IDLE) {
        c.watch(true);
        if (woken) queue.handOn();
        return;
      }
      if (Atomics.compareExchange(state, WorkerState.TASK, LANE_IDLE, 0) !== LANE_IDLE) continue;
      if (over) {
        c.quitSent = true;
        c.send(frameOf(ToChild.QUIT, ''));
        return;
      }
      if (queue.take(taken)) {
        handedAt[0] = nowUs();
        Atomics.store(state, WorkerState.TASK, taken.taskId);
        c.watch(true);
        c.send(taken.bytes!);
        return;
      }
      // Another lane took it first.
      Atomics.store(state, WorkerState.TASK, LANE_IDLE);
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

/**
 * The run is over and the host is about to stop this thread: the child is killed and reaped here
 * first, with nothing more recorded. Only the thread that started a child reaps it; one whose
 * thread is stopped first stays a zombie for as long as the host lives (an editor's, for hours).
 */
let reaping = false;
parentPort?.on('message', (m: HostToProxy) => {
  if (m.t !== 'reap' || reaping) return;
  reaping = true;
  clearTimeout(respawnTimer);
  const proc = child?.proc;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return tellHost({ t: 'reaped' });
  proc.once('exit', () => tellHost({ t: 'reaped' }));
  proc.kill('SIGKILL');
});
// Listening for the host does not keep this thread alive: it ends with its lane, as before.
parentPort?.unref();

port.on('message', (m: ProxyCommand) => {
  if (m.t !== 'terminate' || stopping !== undefined) return;
  stopping = m.why;
  if (child) child.proc.kill('SIGKILL');
  else end();
});
startChild(false);
