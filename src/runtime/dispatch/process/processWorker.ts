// A pool worker process (Pool, ProcessPoolExecutor): the child its proxy thread starts. It runs
// the same TaskRunner as a worker thread, on tasks handed to it one at a time, by its proxy over
// a pipe or by main over the connection this child makes to it. Its trace records go to the
// proxy, its results to main. Every record is on the pipe before the code it describes runs on
// (a task's start before the task), so a SIGKILL loses none of them.
//
// fds: 3 tasks in, 4 records out, 5 the lifeline (never written: when the run's process goes,
// however it goes, this child sees end-of-file there and kills itself).
import { writevSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { exposeApi } from '../../api/apiGlobal';
import { Rec } from '../../../trace/records';
import { RecordBuffer, type RecordSink } from '../../record/eventRing';
import { flushPartialLines, setupThread } from '../../record/threadSetup';
import { userStack } from '../../sites/stacks';
import { TaskRunner } from '../taskRunner';
import { recordLeftRunning, watchHandles } from '../lingering';
import { FRAME_HEAD, FrameReader, FromChild, ToChild, ToMain, type ChildInit } from './frames';

const TASKS_FD = 3;
const OUT_FD = 4;
const LIFELINE_FD = 5;

const EMPTY = new Uint8Array(0);
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes `parts` at once; returns how many bytes went, or -1 when the reader is behind (none did). */
function writeNow(fd: number, parts: Uint8Array[]): number {
  try {
    return writevSync(fd, parts);
  } catch (e) {
    // The pipe is full and was left non-blocking.
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    return -1;
  }
}

/** Writes the rest of `parts` after `written` bytes of them, waiting for the reader whenever it is behind. */
function writeAll(fd: number, parts: Uint8Array[], written = 0): void {
  let left = parts.reduce((n, p) => n + p.length, 0) - written;
  let n = written;
  for (;;) {
    while (n > 0 && parts.length > 0) {
      if (n >= parts[0].length) n -= parts.shift()!.length;
      else {
        parts[0] = parts[0].subarray(n);
        n = 0;
      }
    }
    if (left <= 0) return;
    n = writeNow(fd, parts);
    if (n < 0) {
      Atomics.wait(pause, 0, 0, 1);
      n = 0;
    }
    left -= n;
  }
}

function frameHead(kind: number, bodyBytes: number): Buffer {
  const head = Buffer.allocUnsafe(FRAME_HEAD);
  head.writeUInt32LE(bodyBytes, 0);
  head[4] = kind;
  return head;
}

/**
 * What this process tells its proxy (or main), frame by frame in order, each written before the
 * code after it runs: a SIGKILL can come at any moment. A frame that runtime code always follows
 * with another before any user code runs (a task's end record, then IDLE) waits for that one:
 * each write wakes the reader.
 */
class Outbox {
  private parts: Uint8Array[] = [];

  constructor(private readonly fd: number) {}

  /** Queues a frame and writes what is queued, unless `hold`: then it waits for the next frame. */
  add(kind: number, body: Uint8Array = EMPTY, hold = false): void {
    this.parts.push(frameHead(kind, body.length), body);
    if (!hold) this.flush();
  }

  /** Writes a frame now, unless the reader is behind: then none of it is written and it returns false. */
  offer(kind: number, body: Uint8Array): boolean {
    this.flush();
    const parts = [frameHead(kind, body.length), body];
    const n = writeNow(this.fd, parts);
    if (n < 0) return false;
    writeAll(this.fd, parts, n);
    return true;
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    writeAll(this.fd, parts);
  }
}

const out = new Outbox(OUT_FD);
const send = (kind: number, body?: Uint8Array) => out.add(kind, body);
/** to main, once connected */
let toMain: Outbox | undefined;
let resultSeq = 0;

/**
 * Results go straight to main, numbered. While main is blocked its connection fills after a few
 * hundred; then they go through the proxy, which relays whatever comes, so this process keeps
 * taking tasks as a Python worker would. Main puts them back in order by their numbers.
 */
function sendResults(items: unknown[]): void {
  const value = serialize(items);
  const body = Buffer.allocUnsafe(4 + value.length);
  body.writeUInt32LE(resultSeq++, 0);
  body.set(value, 4);
  if (!toMain!.offer(ToMain.RESULTS, body)) send(FromChild.RESULTS, body);
}

class PipeRecords implements RecordSink {
  private readonly buf = new RecordBuffer();

  write(type: number, lane: number, ts: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, text?: string): void {
    this.buf.write(type, lane, ts, a, b, c, d, e, f, text);
    // A task's end is always followed by IDLE (see pump).
    out.add(FromChild.RECORDS, Buffer.from(this.buf.view()), type === Rec.TASK_END);
    this.buf.clear();
  }
}

/**
 * A thread that watches the lifeline and kills this process at its end, even while main's thread
 * is busy. It waits on its own event loop, not in a blocking read, so process.exit() can stop it.
 */
function watchLifeline(): void {
  const watchdog = new Worker(
    `const lifeline = new (require('node:net').Socket)({ fd: ${LIFELINE_FD}, readable: true, writable: false });
const die = () => process.kill(process.pid, 'SIGKILL');
lifeline.on('data', () => undefined);
lifeline.on('end', die);
lifeline.on('close', die);
lifeline.on('error', die);`,
    { eval: true, stdout: false, stderr: false },
  );
  watchdog.unref();
}

let runner: TaskRunner | undefined;
let handles: { lane: number; watch: ReturnType<typeof watchHandles> } | undefined;
/** task frames not yet run (the proxy hands one at a time; this only guards the order) */
const tasks: Buffer[] = [];
let busy = false;
let quitAsked = false;
/** the end is this process's own choice: no last words for the proxy */
let quitting = false;

/** The end main asked for (the pool closed or terminated): what its tasks left running is told first. */
function quitAsAsked(): never {
  if (handles) recordLeftRunning(handles.lane, handles.watch);
  quit(0);
}

function quit(code: number): never {
  quitting = true;
  flushPartialLines();
  process.exit(code);
}

/** Connects to main: its first frame says whose connection it is; main's TASK frames come in on it. */
function connectToMain(init: ChildInit): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(init.mainPath);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // Main gone mid-run: the run is over, and the lifeline ends this process.
      socket.on('error', () => undefined);
      toMain = new Outbox((socket as unknown as { _handle: { fd: number } })._handle.fd);
      const hello = Buffer.allocUnsafe(8);
      hello.writeUInt32LE(init.lane, 0);
      hello.writeUInt32LE(process.pid, 4);
      toMain.add(ToMain.HELLO, hello);
      send(FromChild.CONNECTED);
      const frames = new FrameReader(onTaskFrame);
      socket.on('data', (chunk: Buffer) => frames.push(chunk));
      resolve();
    });
  });
}

async function start(init: ChildInit): Promise<void> {
  setupThread({ sink: new PipeRecords(), lane: init.lane, laneName: init.laneName, traceTasks: init.traceTasks, lowerPriority: false });
  exposeApi();
  runner = new TaskRunner({
    lane: init.lane,
    poolId: init.poolId,
    initializer: init.initializer,
    initargs: init.initargs,
    send: sendResults,
    running: () => undefined,
  });
  const started = runner;
  handles = { lane: init.lane, watch: watchHandles(() => started.lastTask) };
  runner.watchDeath((unhandled, error) => {
    if (!quitting) send(FromChild.DYING, Buffer.from(`${unhandled ? 'an unhandled promise rejection: ' : 'threw '}${userStack(error)}`));
  });
  // An uncaught error ends this process as it ends any Node process (exit code 1), told by the
  // proxy with its stack as the user wrote it, not dumped raw with the runtime's frames. A task
  // that installs a handler of its own keeps the process alive, as it would keep any other.
  process.on('uncaughtException', () => {
    if (process.listenerCount('uncaughtException') === 1) process.exit(1);
  });
  process.on('exit', (code) => {
    if (!quitting) send(FromChild.DYING, Buffer.from(`called process.exit(${code})`));
    out.flush();
  });
  try {
    await connectToMain(init);
  } catch (e) {
    send(FromChild.DYING, Buffer.from(`could not connect to the run's main thread: ${(e as Error).message}`));
    quit(1);
  }
  const initError = await runner.initialize();
  if (initError !== undefined) {
    send(FromChild.INIT_FAILED, Buffer.from(initError));
    quit(1);
  }
  send(FromChild.IDLE, idleBody(0));
  void pump();
}

function idleBody(taskId: number): Buffer {
  const body = Buffer.allocUnsafe(4);
  body.writeInt32LE(taskId, 0);
  return body;
}

async function pump(): Promise<void> {
  if (!runner || busy) return;
  busy = true;
  while (tasks.length > 0) {
    const frame = tasks.shift()!;
    const taskId = frame.readInt32LE(0);
    runner.task.accept(taskId, frame, 4, frame.length);
    runner.resume();
    const pending = runner.runTaken();
    if (pending) await pending;
    // IDLE, with the task's end record, before the result: once main has the result (and may
    // terminate the pool, or end the run), the task's end is on its way to the trace.
    out.add(FromChild.IDLE, idleBody(taskId));
    runner.flush();
  }
  busy = false;
  if (quitAsked) quitAsAsked();
}

watchLifeline();
const input = new Socket({ fd: TASKS_FD, readable: true, writable: false });
function onTaskFrame(kind: number, body: Buffer): void {
  if (kind !== ToChild.TASK) return;
  tasks.push(Buffer.from(body));
  void pump();
}

const frames = new FrameReader((kind, body) => {
  if (kind === ToChild.INIT) void start(deserialize(body) as ChildInit);
  else if (kind === ToChild.TASK) onTaskFrame(kind, body);
  else if (kind === ToChild.QUIT) {
    quitAsked = true;
    if (!busy) quitAsAsked();
  }
});
input.on('data', (chunk: Buffer) => frames.push(chunk));
// The proxy is gone without a word: nothing more will come.
input.on('end', () => quit(0));
