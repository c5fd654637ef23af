// A pool worker thread: runs the initializer, then pulls tasks from the pool's shared queue
// until the queue closes. Results go back to main in batches: one message per burst of
// short tasks, and at once when the queue runs dry, so a lone task is never held back.
import { parentPort, workerData } from 'node:worker_threads';
import { CPU_UNKNOWN, Rec, TaskStatus, WorkerAction } from '../../../trace/records';
import { nowUs } from '../../record/clock';
import { exposeApi } from '../../api/apiGlobal';
import { encodingError } from '../../api/errors';
import { preview } from '../../record/preview';
import { recorder } from '../../record/recorder';
import { TaskQueue } from '../taskQueue';
import { firstLine, userStack } from '../../sites/stacks';
import { resolveRef } from '../taskRegistry';
import { flushPartialLines, setupThread } from '../../record/threadSetup';
import { TaskDecoder } from '../taskCodec';
import { encodeThrown, ResultStatus } from '../outcomeCodec';
import { TaskMode, type PoolWorkerData, type WorkerMessage } from '../workerProtocol';

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
let batch: unknown[] = [];
/** When the oldest result in `batch` was counted (see ageBatch); -1 while none is. */
let batchStart = -1;
/**
 * When the worker turned to its current task: the previous task's end, a wake from waiting,
 * or the last flush (sending results is not charged to a task). So one clock read after each
 * task times it and ages the batch; taking and decoding the task (about a µs) count as its run.
 */
let taskClock = 0;

/** Task functions by FnRef id, as this worker meets them. */
const fns: Function[] = [];
/** How long each function's last run took, by FnRef id: the guess at how long its next will. */
const lastRunUs: number[] = [];
const task = new TaskDecoder((fnId) => fns[fnId] !== undefined);

function post(msg: WorkerMessage): void {
  port.postMessage(msg);
}

function flush(): void {
  if (batch.length === 0) return;
  const items = batch;
  batch = [];
  batchStart = -1;
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
        if (rec.tasks) rec.rec(Rec.TASK_END, data.lane, one[0] as number, TaskStatus.error, 0, 0, CPU_UNKNOWN, 0, `MaybeEncodingError: ${message}`);
        post({ t: 'results', items: [one[0], ResultStatus.encoding, message] });
      }
    }
  }
  taskClock = nowUs();
}

/** After each task: results older than BATCH_AGE_US go out even while short tasks keep coming. */
function ageBatch(now: number): void {
  if (batch.length === 0) return;
  if (batchStart < 0) batchStart = now;
  else if (now - batchStart > BATCH_AGE_US) flush();
}

function fail(taskId: number, e: unknown): void {
  const [status, value] = encodeThrown(e);
  finish(taskId, status, value, e);
}

function finish(taskId: number, status: number, value: unknown, shown: unknown = value): void {
  if (rec.tasks) rec.rec(Rec.TASK_END, data.lane, taskId, status === ResultStatus.ok ? TaskStatus.ok : TaskStatus.error, 0, 0, CPU_UNKNOWN, 0, preview(shown));
  batch.push(taskId, status, value);
  if (batch.length >= BATCH_MAX * 3) flush();
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}

/** The function of a task whose function this worker has not met yet; fails the task (undefined) when it cannot be resolved. */
async function resolveTaskFn(): Promise<Function | undefined> {
  const { fnId, taskId } = task;
  try {
    const fn = await resolveRef({ url: task.url, name: task.name });
    fns[fnId] = fn;
    lastRunUs[fnId] = Infinity;
    return fn;
  } catch (e) {
    fail(taskId, e);
    return undefined;
  }
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
    const init = await resolveRef(data.initializer);
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
  taskClock = nowUs();
  for (;;) {
    const seq = queue.seq;
    if (!queue.take(task)) {
      flush();
      if (queue.closed) return;
      await queue.waitForWork(seq);
      taskClock = nowUs();
      continue;
    }
    const { taskId, fnId } = task;
    if (rec.tasks) rec.rec(Rec.TASK_START, data.lane, taskId);
    const fn = fns[fnId] ?? (await resolveTaskFn());
    if (!fn) continue;
    if (batch.length > 0 && lastRunUs[fnId] >= SHORT_TASK_US) flush();
    const pending = run(fn, task.mode, task.args(), taskId);
    if (pending) {
      flush();
      await pending;
    }
    const now = nowUs();
    lastRunUs[fnId] = now - taskClock;
    taskClock = now;
    ageBatch(now);
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
