// What ThreadPoolExecutor and ProcessPoolExecutor share: concurrent.futures.Executor's API and
// rules (docs/SEMANTICS.md section B). They differ in their workers and in how they break: each has
// its own BrokenExecutor class and Python's messages for it.
import type { ResourceLimits } from 'node:worker_threads';
import { PoolAction, Rec, TaskStatus } from '../../trace/records';
import { RuntimeError, ValueError } from './errors';
import { Future, type FutureOwner } from './future';
import { recordTaskJob } from '../record/jobRecords';
import { recorder } from '../record/recorder';
import { defaultWorkers, newJobId, newPoolId, newTaskId } from '../main/runContext';
import { callSite, captureSite, functionSite } from '../sites/sites';
import { taskRef } from '../dispatch/taskRegistry';
import { MAIN_LANE } from '../record/lanes';
import { recordedWait } from './waits';
import type { PoolWorkers, WorkerEvents, WorkerOptions } from '../dispatch/poolWorkers';
import { decodeOutcome } from '../dispatch/outcomeCodec';
import { TaskMode } from '../dispatch/workerProtocol';

export interface ExecutorOptions {
  maxWorkers?: number;
  initializer?: (...args: any[]) => unknown;
  initargs?: unknown[];
  /** Not in Python: each worker's memory and stack limits (see PoolOptions.resourceLimits). */
  resourceLimits?: ResourceLimits;
}

export interface ShutdownOptions {
  wait?: boolean;
  cancelFutures?: boolean;
}

export interface ExecutorMapOptions {
  timeout?: number;
  chunksize?: number;
}

/** How an executor breaks: its error class and Python's messages. */
export interface Breakage {
  readonly error: new (message: string) => Error;
  /** the executor is broken: what later submit() and map() throw */
  readonly initFailed: string;
  readonly workerDied: string;
  /** what the futures pending or running when it broke fail with (undefined: the same as later calls) */
  readonly pendingOnInit?: string;
  readonly pendingOnDeath: string;
  /**
   * Whether a failed initializer also fails the running futures and stops the workers, as a
   * dead worker does (a process executor), or only fails what is queued (a thread executor:
   * its other threads go on).
   */
  readonly initFailureStopsAll: boolean;
}

export abstract class Executor implements FutureOwner {
  private readonly id = newPoolId();
  private readonly maxWorkers: number;
  private readonly workers: PoolWorkers;
  /** futures whose task is queued or running, by task id */
  private readonly byTask = new Map<number, Future<any>>();
  private broken: string | undefined;
  private shutDown = false;
  private readonly pendingCallbacks: (() => void)[] = [];

  /** @internal */
  constructor(
    options: ExecutorOptions,
    kind: 'ThreadPoolExecutor' | 'ProcessPoolExecutor',
    private readonly breakage: Breakage,
    workers: (opts: WorkerOptions, events: WorkerEvents) => PoolWorkers,
  ) {
    const max = options.maxWorkers ?? defaultWorkers();
    if (!Number.isInteger(max) || max <= 0) throw new ValueError('max_workers must be greater than 0');
    this.maxWorkers = max;
    const init = options.initializer ? taskRef(options.initializer, 'initializer') : undefined;
    const rec = recorder();
    rec.rec(
      Rec.POOL,
      MAIN_LANE,
      this.id,
      PoolAction.created,
      rec.str(captureSite()),
      max,
      rec.str(init?.name),
      rec.str(options.initializer && functionSite(options.initializer)),
      kind,
    );
    this.workers = workers(
      { poolId: this.id, initializer: init, initargs: options.initargs ?? [], traceTasks: rec.tasks, resourceLimits: options.resourceLimits },
      {
        results: (items) => this.onResults(items),
        initFailed: () => this.breakOn(this.breakage.initFailed, this.breakage.pendingOnInit ?? this.breakage.initFailed, this.breakage.initFailureStopsAll),
        died: () => this.breakOn(this.breakage.workerDied, this.breakage.pendingOnDeath, true),
      },
    );
  }

  submit<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Future<Awaited<R>> {
    return this.enqueue(this.jobSite(), fn, args);
  }

  /** Where the job being submitted was asked for: taken first thing, while nothing has yet thrown (see callSite). */
  private jobSite(): string | undefined {
    return callSite(this, recorder().tasks);
  }

  private enqueue<R>(site: string | undefined, fn: (...args: any[]) => R | Promise<R>, args: unknown[]): Future<Awaited<R>> {
    if (this.broken) throw new this.breakage.error(this.broken);
    if (this.shutDown) throw new RuntimeError('cannot schedule new futures after shutdown');
    const ref = taskRef(fn);
    const job = newJobId();
    const taskId = newTaskId();
    recordTaskJob(job, this.id, 'submit', site, fn, taskId, ref.name, args);
    const future = new Future<Awaited<R>>(this, job);
    // Like Python, start another thread only when none is idle, up to maxWorkers.
    if (this.byTask.size >= this.workers.size && this.workers.size < this.maxWorkers) this.workers.addWorker();
    try {
      future.queuePos = this.workers.push(taskId, ref, TaskMode.call, args);
    } catch (err) {
      future.finish(false, err);
      return future;
    }
    future.taskId = taskId;
    this.byTask.set(taskId, future);
    return future;
  }

  /** Submits every item now; yields results in input order (rule B.20). */
  map<R>(fn: (...args: any[]) => R | Promise<R>, ...rest: unknown[]): AsyncIterable<Awaited<R>> {
    const site = this.jobSite();
    const last = rest[rest.length - 1];
    const opts: ExecutorMapOptions = last !== null && typeof last === 'object' && !(Symbol.iterator in last) ? (rest.pop() as ExecutorMapOptions) : {};
    if (opts.chunksize !== undefined && (!Number.isInteger(opts.chunksize) || opts.chunksize < 1)) throw new ValueError('chunksize must be >= 1.');
    const end = opts.timeout === undefined ? undefined : performance.now() + opts.timeout;
    const iterators = (rest as Iterable<unknown>[]).map((it) => it[Symbol.iterator]());
    const futures: Future<Awaited<R>>[] = [];
    for (;;) {
      const next = iterators.map((it) => it.next());
      if (next.length === 0 || next.some((n) => n.done)) break;
      futures.push(
        this.enqueue(
          site,
          fn,
          next.map((n) => n.value),
        ),
      );
    }
    return {
      async *[Symbol.asyncIterator]() {
        try {
          while (futures.length > 0) {
            const f = futures[0];
            const value = await f.result(end === undefined ? undefined : Math.max(0, end - performance.now()));
            futures.shift();
            yield value;
          }
        } finally {
          for (const f of futures) f.cancel();
        }
      },
    };
  }

  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const site = callSite(this, !this.shutDown);
    const { wait = true, cancelFutures = false } = options;
    if (!this.shutDown) {
      this.shutDown = true;
      recorder().rec(Rec.POOL, MAIN_LANE, this.id, PoolAction.shutdown, recorder().str(site));
      if (cancelFutures) this.dropQueued((f) => f.cancelNow());
      this.workers.close();
    }
    if (wait) await recordedWait({ what: 'shutdown', settled: this.workers.joined() });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }

  // ---- FutureOwner ----------------------------------------------------------------

  cancelQueued(future: Future<any>): boolean {
    if (!this.byTask.has(future.taskId) || !this.workers.queue.cancel(future.queuePos, future.taskId)) return false;
    this.forget(future);
    recorder().rec(Rec.TASK_DROP, MAIN_LANE, future.taskId, TaskStatus.cancelled);
    return true;
  }

  taken(future: Future<any>): boolean {
    return this.byTask.has(future.taskId) && this.workers.queue.consumed(future.queuePos);
  }

  later(run: () => void): void {
    this.pendingCallbacks.push(run);
    if (this.pendingCallbacks.length === 1) {
      this.workers.began(1);
      setImmediate(() => {
        // One at a time, in completion order: a slow done callback delays the others.
        for (let i = 0; i < this.pendingCallbacks.length; i++) this.pendingCallbacks[i]();
        this.pendingCallbacks.length = 0;
        this.workers.ended(1);
      });
    }
  }

  // ---- from the workers -------------------------------------------------------------

  private forget(future: Future<any>): void {
    this.byTask.delete(future.taskId);
    this.workers.ended(1);
  }

  private onResults(items: unknown[]): void {
    for (let i = 0; i < items.length; i += 3) {
      const future = this.byTask.get(items[i] as number);
      if (!future) continue;
      this.forget(future);
      const { ok, value } = decodeOutcome(items[i + 1] as number, items[i + 2]);
      future.finish(ok, value, true);
    }
  }

  /**
   * The executor is broken (Python's `_broken`): a worker's initializer failed or a worker died.
   * Every future queued (and, if `stopAll`, running) fails with `pending`, the workers left are
   * stopped, and later submit() and map() throw `broken`.
   */
  private breakOn(broken: string, pending: string, stopAll: boolean): void {
    if (this.broken) return;
    this.broken = broken;
    recorder().rec(Rec.POOL, MAIN_LANE, this.id, PoolAction.broken, -1, 0, 0, 0, broken);
    const fail = (f: Future<any>) => f.finish(false, new this.breakage.error(pending));
    this.dropQueued(fail);
    if (!stopAll) return;
    this.workers.terminate(`the executor broke while it ran: ${broken}`);
    for (const f of [...this.byTask.values()]) {
      this.forget(f);
      fail(f);
    }
  }

  private dropQueued(then: (future: Future<any>) => void): void {
    const rec = recorder();
    for (const taskId of this.workers.queue.dropAll()) {
      const future = this.byTask.get(taskId);
      if (!future) continue;
      this.forget(future);
      if (rec.tasks) rec.rec(Rec.TASK_DROP, MAIN_LANE, taskId, TaskStatus.cancelled);
      then(future);
    }
  }
}
