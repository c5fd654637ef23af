// Runs a pool worker's tasks, the same way in a worker thread and in a child process: the
// initializer first, then each task as it is taken, its outcome recorded and sent back to main.
// Results go in batches: one send per burst of short tasks, and at once before anything
// longer, so a finished result never waits behind the next task. Where tasks come from and how
// results travel is the caller's (the thread's queue and port, the child's pipes).
import { CPU_UNKNOWN, Rec, TaskStatus } from '../../trace/records';
import { nowUs } from '../record/clock';
import { encodingError } from '../api/errors';
import { preview } from '../record/preview';
import { recorder } from '../record/recorder';
import { userStack } from '../sites/stacks';
import { firstLine } from '../../trace/stacks';
import { resolveRef, type FnRef } from './taskRegistry';
import { flushPartialLines } from '../record/threadSetup';
import { TaskDecoder } from './taskCodec';
import { encodeThrown, ResultStatus } from './outcomeCodec';
import { TaskMode } from './workerProtocol';
import { ReshapedValues } from './reshaped';

const BATCH_MAX = 256;
const BATCH_AGE_US = 1000;
/**
 * Results of tasks shorter than this are batched; before anything longer, the batch goes out.
 * A function's last run time is the guess at how long its next will take.
 */
const SHORT_TASK_US = 20;

export interface RunnerConfig {
  lane: number;
  poolId: number;
  initializer?: FnRef;
  initargs: unknown[];
  /** Sends flat result triples to main; throws (DataCloneError) when a value cannot be cloned. */
  send(items: unknown[]): void;
  /** The task running now (0: none), for whoever sees this worker die. */
  running(taskId: number): void;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}

export class TaskRunner {
  /** Task functions by FnRef id, as this worker meets them. */
  private readonly fns: Function[] = [];
  /** How long each function's last run took, by FnRef id. */
  private readonly lastRunUs: number[] = [];
  /** The task being taken: the thread's queue or the child's pipe fills it. */
  readonly task = new TaskDecoder((fnId) => this.fns[fnId] !== undefined);
  private batch: unknown[] = [];
  /** When the oldest result in `batch` was counted (see ageBatch); -1 while none is. */
  private batchStart = -1;
  /**
   * When the worker turned to its current task: the previous task's end, a wake from waiting,
   * or the last flush (sending results is not charged to a task). So one clock read after each
   * task times it and ages the batch; taking and decoding the task count as its run.
   */
  private taskClock = 0;
  /** The task that started last: a promise rejection seen after it ended most likely came from it. */
  lastTask = 0;
  private readonly rec = recorder();
  private readonly reshaped = new ReshapedValues();

  constructor(private readonly cfg: RunnerConfig) {}

  /** Runs the initializer; returns its error, for main, if it threw. */
  async initialize(): Promise<string | undefined> {
    const { initializer, lane, poolId } = this.cfg;
    if (!initializer) return undefined;
    const rec = this.rec;
    rec.rec(Rec.INIT, lane, poolId, -1, rec.str(initializer.name));
    try {
      const init = await resolveRef(initializer);
      const r = init(...this.cfg.initargs);
      if (isThenable(r)) await r;
      rec.rec(Rec.INIT, lane, poolId, TaskStatus.ok);
      return undefined;
    } catch (e) {
      const stack = userStack(e);
      rec.rec(Rec.INIT, lane, poolId, TaskStatus.error, 0, 0, 0, 0, stack);
      console.error(`Exception in initializer:\n${stack}`);
      flushPartialLines();
      return `initializer \`${initializer.name}\` threw ${firstLine(stack)}`;
    }
  }

  /** The worker turns to tasks now (it starts, or wakes from waiting for one). */
  resume(): void {
    this.taskClock = nowUs();
  }

  /** Runs the task `task` holds; returns a promise only when it has to wait (an async task, or its function's first import). */
  runTaken(): void | Promise<void> {
    const { taskId, fnId } = this.task;
    this.lastTask = taskId;
    this.cfg.running(taskId);
    if (this.rec.tasks) this.rec.rec(Rec.TASK_START, this.cfg.lane, taskId);
    const fn = this.fns[fnId];
    if (fn === undefined) return this.resolveThenRun(taskId, fnId);
    return this.runWith(fn, taskId, fnId);
  }

  /** The function of a task whose function this worker has not met yet; fails the task when it cannot be resolved. */
  private async resolveThenRun(taskId: number, fnId: number): Promise<void> {
    let fn: Function;
    try {
      fn = await resolveRef({ url: this.task.url, name: this.task.name });
    } catch (e) {
      this.fail(taskId, e);
      this.taskEnded(fnId);
      return;
    }
    this.fns[fnId] = fn;
    this.lastRunUs[fnId] = Infinity;
    await this.runWith(fn, taskId, fnId);
  }

  private runWith(fn: Function, taskId: number, fnId: number): void | Promise<void> {
    if (this.batch.length > 0 && this.lastRunUs[fnId] >= SHORT_TASK_US) this.flush();
    const pending = this.run(fn, this.task.mode, this.task.args(), taskId);
    if (!pending) return this.taskEnded(fnId);
    this.flush();
    return pending.then(() => this.taskEnded(fnId));
  }

  private taskEnded(fnId: number): void {
    const now = nowUs();
    this.lastRunUs[fnId] = now - this.taskClock;
    this.taskClock = now;
    this.ageBatch(now);
  }

  /** Runs one task; returns a promise only when the task itself is asynchronous. */
  private run(fn: Function, mode: number, args: unknown[], taskId: number): void | Promise<void> {
    try {
      if (mode === TaskMode.call) {
        const r = fn(...args);
        if (isThenable(r))
          return Promise.resolve(r).then(
            (v) => this.finish(taskId, ResultStatus.ok, v),
            (e) => this.fail(taskId, e),
          );
        this.finish(taskId, ResultStatus.ok, r);
        return;
      }
      return this.runChunk(fn, mode, args, taskId);
    } catch (e) {
      this.fail(taskId, e);
    }
  }

  private async runChunk(fn: Function, mode: number, items: unknown[], taskId: number): Promise<void> {
    const out: unknown[] = [];
    try {
      for (const item of items) {
        let r = mode === TaskMode.starmap ? fn(...(item as unknown[])) : fn(item);
        if (isThenable(r)) r = await r;
        out.push(r);
      }
    } catch (e) {
      this.fail(taskId, e);
      return;
    }
    this.finish(taskId, ResultStatus.ok, out);
  }

  private fail(taskId: number, e: unknown): void {
    const [status, value] = encodeThrown(e);
    this.finish(taskId, status, value, e);
  }

  private finish(taskId: number, status: number, value: unknown, shown: unknown = value): void {
    if (this.rec.tasks) this.rec.rec(Rec.TASK_END, this.cfg.lane, taskId, status === ResultStatus.ok ? TaskStatus.ok : TaskStatus.error, 0, 0, CPU_UNKNOWN, 0, preview(shown));
    this.cfg.running(0);
    if (status === ResultStatus.ok) this.reshaped.result(this.cfg.lane, taskId, this.task.fnId, value);
    this.batch.push(taskId, status, value);
    if (this.batch.length >= BATCH_MAX * 3) this.flush();
  }

  /** Sends the results held back. */
  flush(): void {
    const items = this.batch;
    if (items.length === 0) return;
    this.batch = [];
    this.batchStart = -1;
    try {
      this.cfg.send(items);
    } catch {
      // One value in the batch cannot be cloned: send them one by one to find it.
      for (let i = 0; i < items.length; i += 3) {
        const one = items.slice(i, i + 3);
        try {
          this.cfg.send(one);
        } catch (err) {
          const message = encodingError('result', one[2], err).message;
          // The task's end was recorded as ok; what main gets is this failure, so the trace says so.
          if (this.rec.tasks) this.rec.rec(Rec.TASK_END, this.cfg.lane, one[0] as number, TaskStatus.error, 0, 0, CPU_UNKNOWN, 0, `MaybeEncodingError: ${message}`);
          this.cfg.send([one[0], ResultStatus.encoding, message]);
        }
      }
    }
    this.taskClock = nowUs();
  }

  /** After each task: results older than BATCH_AGE_US go out even while short tasks keep coming. */
  private ageBatch(now: number): void {
    if (this.batch.length === 0) return;
    if (this.batchStart < 0) this.batchStart = now;
    else if (now - this.batchStart > BATCH_AGE_US) this.flush();
  }

  /**
   * What the worker does as something kills it that it can see coming (an uncaught throw, an
   * unhandled rejection, process.exit()): results already made go out, printed text is kept,
   * and an unhandled rejection is recorded against the task it most likely came from.
   * `onDeath` gets whether an unhandled rejection was the cause.
   */
  watchDeath(onDeath: (unhandled: boolean, error: unknown) => void): void {
    process.on('uncaughtExceptionMonitor', (error, origin) => {
      const unhandled = origin === 'unhandledRejection';
      if (unhandled) this.rec.rec(Rec.UNHANDLED, this.cfg.lane, this.lastTask, 0, 0, 0, 0, 0, userStack(error));
      this.lastWords();
      onDeath(unhandled, error);
    });
    process.on('exit', () => this.lastWords());
  }

  private lastWords(): void {
    try {
      this.flush();
    } catch {
      // The channel to main is gone already: nothing more can reach it.
    }
    flushPartialLines();
  }
}
