// A pool worker thread: runs the initializer, then pulls tasks from the pool's shared queue
// until the queue closes. Results go back to main in batches: one message per burst of
// short tasks, and at once when the queue runs dry, so a lone task is never held back.
import { parentPort, workerData } from 'node:worker_threads';
import { Rec, TaskStatus, WorkerAction } from '../trace/records';
import { nowUs } from './clock';
import { exposeApi } from './apiGlobal';
import { encodingError } from './errors';
import { preview } from './preview';
import { recorder } from './recorder';
import { TaskQueue } from './taskQueue';
import { firstLine, userStack } from './stacks';
import { resolveRef } from './taskRegistry';
import { flushPartialLines, setupThread } from './threadSetup';
import { decodeTask } from './taskCodec';
import { encodeThrown, ResultStatus } from './outcomeCodec';
import { TaskMode, type PoolWorkerData, type WorkerMessage } from './workerProtocol';

const data = workerData as PoolWorkerData;
setupThread({ ring: data.ring, lane: data.lane, laneName: data.laneName, traceTasks: data.traceTasks });
exposeApi();
const rec = recorder();
const queue = new TaskQueue(data.queue);
const port = data.port ?? parentPort!;

const BATCH_MAX = 256;
const BATCH_AGE_US = 1000;
/**
 * Results of tasks shorter than this are batched; before anything longer, the batch goes out,
 * so a finished result never waits behind the next task. A function's last run time is the guess.
 */
const SHORT_TASK_US = 20;
const lastRunUs = new Map<Function, number>();
let batch: unknown[] = [];
let batchStart = 0;

function post(msg: WorkerMessage): void {
  port.postMessage(msg);
}

function flush(): void {
  if (batch.length === 0) return;
  const items = batch;
  batch = [];
  try {
    post({ t: 'results', items });
  } catch {
    // One value in the batch cannot be cloned: send them one by one to find it.
    for (let i = 0; i < items.length; i += 3) {
      const one = items.slice(i, i + 3);
      try {
        post({ t: 'results', items: one });
      } catch (err) {
        const message = encodingError('result', one[2], err).message;
        // The task's end was recorded as ok; what main gets is this failure, so the trace says so.
        if (rec.tasks) rec.rec(Rec.TASK_END, data.lane, one[0] as number, TaskStatus.error, 0, 0, 0, 0, `MaybeEncodingError: ${message}`);
        post({ t: 'results', items: [one[0], ResultStatus.encoding, message] });
      }
    }
  }
}

function fail(taskId: number, e: unknown): void {
  const [status, value] = encodeThrown(e);
  finish(taskId, status, value, e);
}

function finish(taskId: number, status: number, value: unknown, shown: unknown = value): void {
  if (rec.tasks) rec.rec(Rec.TASK_END, data.lane, taskId, status === ResultStatus.ok ? TaskStatus.ok : TaskStatus.error, 0, 0, 0, 0, preview(shown));
  if (batch.length === 0) batchStart = nowUs();
  batch.push(taskId, status, value);
  if (batch.length >= BATCH_MAX * 3 || nowUs() - batchStart > BATCH_AGE_US) flush();
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}

const fns = new Map<string, Function>();

async function lookup(url: string, name: string): Promise<Function> {
  const key = url + '#' + name;
  let fn = fns.get(key);
  if (!fn) fns.set(key, (fn = await resolveRef({ url, name })));
  return fn;
}

/** Runs one task; returns a promise only when the task itself is asynchronous. */
function run(fn: Function, mode: number, args: unknown[], taskId: number): void | Promise<void> {
  try {
    if (mode === TaskMode.call) {
      const r = fn(...args);
      if (isThenable(r)) return Promise.resolve(r).then((v) => finish(taskId, ResultStatus.ok, v), (e) => fail(taskId, e));
      finish(taskId, ResultStatus.ok, r);
      return;
    }
    return runChunk(fn, mode, args, taskId);
  } catch (e) {
    fail(taskId, e);
  }
}

async function runChunk(fn: Function, mode: number, items: unknown[], taskId: number): Promise<void> {
  const out: unknown[] = [];
  try {
    for (const item of items) {
      let r = mode === TaskMode.starmap ? fn(...(item as unknown[])) : fn(item);
      if (isThenable(r)) r = await r;
      out.push(r);
    }
  } catch (e) {
    fail(taskId, e);
    return;
  }
  finish(taskId, ResultStatus.ok, out);
}

async function initialize(): Promise<boolean> {
  if (!data.initializer) return true;
  rec.rec(Rec.INIT, data.lane, data.poolId, -1, rec.str(data.initializer.name));
  try {
    const init = await lookup(data.initializer.url, data.initializer.name);
    const r = init(...data.initargs);
    if (isThenable(r)) await r;
    rec.rec(Rec.INIT, data.lane, data.poolId, TaskStatus.ok);
    return true;
  } catch (e) {
    const stack = userStack(e);
    rec.rec(Rec.INIT, data.lane, data.poolId, TaskStatus.error, 0, 0, 0, 0, stack);
    console.error(`Exception in initializer:\n${stack}`);
    flushPartialLines();
    post({ t: 'init-failed', error: `initializer \`${data.initializer.name}\` threw ${firstLine(stack)}` });
    return false;
  }
}

async function loop(): Promise<void> {
  for (;;) {
    const seq = queue.seq;
    const task = queue.take();
    if (!task) {
      flush();
      if (queue.closed) return;
      await queue.waitForWork(seq);
      continue;
    }
    const { url, name, mode, args } = decodeTask(task.payload);
    if (rec.tasks) rec.rec(Rec.TASK_START, data.lane, task.taskId);
    let fn: Function;
    try {
      fn = fns.get(url + '#' + name) ?? (await lookup(url, name));
    } catch (e) {
      fail(task.taskId, e);
      continue;
    }
    if (batch.length > 0 && !((lastRunUs.get(fn) ?? Infinity) < SHORT_TASK_US)) flush();
    const started = nowUs();
    const pending = run(fn, mode, args, task.taskId);
    if (pending) {
      flush();
      await pending;
    }
    lastRunUs.set(fn, nowUs() - started);
  }
}

// A pending Atomics.waitAsync does not keep a thread alive; this listener does, until the
// queue closes and the worker may end.
const keepAlive = () => undefined;
port.on('message', keepAlive);
rec.rec(Rec.WORKER, data.lane, WorkerAction.start);
if (await initialize()) {
  await loop();
  flushPartialLines();
}
port.off('message', keepAlive);
