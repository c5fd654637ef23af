// Pool: multiprocessing.pool.Pool on child processes, and the base of ThreadPool, as in Python
// (docs/SEMANTICS.md section A). What differs between the two is the workers behind them
// (ProcessWorkers, ThreadWorkers) and what happens when one dies: a Pool's is replaced at once,
// a ThreadPool's is not (CPython's is not either).
import { PoolAction, Rec, TaskStatus } from '../../trace/records';
import { AsyncResult, NO_CALLBACKS, type Callbacks, type ResultOwner } from './asyncResult';
import { AssertionError, ValueError } from './errors';
import type { ResourceLimits } from 'node:worker_threads';
import { recordCallbackReg, recordJob, recordJobEvent, recordSubmit, recordTaskJob } from '../record/jobRecords';
import { recorder } from '../record/recorder';
import { ResultHandler } from './resultHandler';
import { newDeferred, type Deferred } from './deferred';
import { defaultWorkers, newJobId, newPoolId, newTaskId } from '../main/runContext';
import { callSite, captureSite, functionSite } from '../sites/sites';
import { firstLine } from '../../trace/stacks';
import { taskRef, type FnRef } from '../dispatch/taskRegistry';
import { MAIN_LANE } from '../record/lanes';
import { preview } from '../record/preview';
import { recheckWaits, recordedWait } from './waits';
import type { PoolWorkers, WorkerEvents, WorkerOptions } from '../dispatch/poolWorkers';
import { ProcessWorkers } from '../dispatch/process/processWorkers';
import { decodeOutcome, encodeThrown } from '../dispatch/outcomeCodec';
import { TaskMode } from '../dispatch/workerProtocol';

export interface PoolOptions {
  processes?: number;
  initializer?: (...args: any[]) => unknown;
  initargs?: unknown[];
  /** replace a worker process after this many tasks (a map chunk is one task); undefined or null: never */
  maxtasksperchild?: number | null;
  /**
   * Not in Python: each worker's memory and stack limits (a thread's resourceLimits; a child
   * process gets the same as Node flags), so that running out of memory can be tried safely.
   */
  resourceLimits?: ResourceLimits;
}

export interface MapOptions<R> extends Callbacks<R[]> {
  chunksize?: number;
}

type Mode = (typeof TaskMode)[keyof typeof TaskMode];

/** Where a finished task's outcome goes: a one-task job's result itself, or one chunk of a map job. */
interface TaskOwner {
  readonly job: number;
  taskDone(ok: boolean, value: unknown, taskId: number): void;
  /** whether this outcome makes the job ready at once (see AsyncResult.readyOnArrival) */
  readyOnArrival(ok: boolean): boolean;
}

interface ChunkSink {
  partDone(index: number, ok: boolean, value: unknown, taskId: number): void;
  readyOnArrival?(ok: boolean): boolean;
}

class Chunk implements TaskOwner {
  constructor(
    readonly job: number,
    private readonly index: number,
    private readonly sink: ChunkSink,
  ) {}

  taskDone(ok: boolean, value: unknown, taskId: number): void {
    this.sink.partDone(this.index, ok, value, taskId);
  }

  readyOnArrival(ok: boolean): boolean {
    return this.sink.readyOnArrival?.(ok) ?? false;
  }
}

export class Pool implements ResultOwner {
  readonly handler: ResultHandler;
  private readonly id = newPoolId();
  private readonly workers: PoolWorkers;
  private state: 'RUN' | 'CLOSE' | 'TERMINATE' = 'RUN';
  /** jobs issued and not ready yet (Python's pool `_cache`) */
  private pendingJobs = 0;
  private allSettled: Deferred | undefined;
  private readonly tasks = new Map<number, TaskOwner>();
  private readonly failedInit = new Set<number>();
  private initOk = false;
  private brokenBy: string | undefined;
  /** workers alive (for a ThreadPool, which does not replace the dead) */
  private live: number;
  /** pending jobs that can never become ready, and why: a task lost with its worker */
  private readonly hopeless = new Map<number, string>();

  constructor(options: PoolOptions = {}) {
    const size = options.processes ?? defaultWorkers();
    if (!Number.isInteger(size) || size < 1) throw new ValueError('Number of processes must be at least 1');
    const max = options.maxtasksperchild;
    if (max !== undefined && max !== null && (!Number.isInteger(max) || max < 1)) throw new ValueError('maxtasksperchild must be a positive int or None');
    const init = options.initializer ? taskRef(options.initializer, 'initializer') : undefined;
    this.handler = new ResultHandler(this.id);
    const rec = recorder();
    const site = captureSite();
    rec.rec(
      Rec.POOL,
      MAIN_LANE,
      this.id,
      PoolAction.created,
      rec.str(site),
      size,
      rec.str(init?.name),
      rec.str(options.initializer && functionSite(options.initializer)),
      this.kind,
    );
    this.workers = this.startWorkers(
      { poolId: this.id, initializer: init, initargs: options.initargs ?? [], traceTasks: rec.tasks, resourceLimits: options.resourceLimits },
      {
        results: (items) => this.onResults(items),
        initFailed: (lane, error) => this.onInitFailed(lane, error),
        died: (_lane, task, why) => this.onDied(task, why),
      },
      options,
    );
    this.live = size;
    for (let i = 0; i < size; i++) this.workers.addWorker();
  }

  /** @internal the Python class this mirrors */
  protected get kind(): 'Pool' | 'ThreadPool' {
    return 'Pool';
  }

  /** @internal what runs the tasks: a child process per worker, each replaced as soon as it dies */
  protected startWorkers(opts: WorkerOptions, events: WorkerEvents, options: PoolOptions): PoolWorkers {
    return new ProcessWorkers(opts, events, { maxTasks: options.maxtasksperchild ?? 0, respawn: true });
  }

  /** @internal whether a worker that dies is replaced */
  protected get replacesDead(): boolean {
    return true;
  }

  // ---- issuing work -------------------------------------------------------------------

  applyAsync<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, args: A = [] as unknown as A, callbacks: Callbacks<Awaited<R>> = NO_CALLBACKS): AsyncResult<Awaited<R>> {
    return this.issue(this.jobSite(), 'applyAsync', fn, [args], TaskMode.call, false, callbacks);
  }

  apply<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, args: A = [] as unknown as A): Promise<Awaited<R>> {
    const site = this.jobSite();
    return this.issue<Awaited<R>>(site, 'apply', fn, [args], TaskMode.call, false, NO_CALLBACKS).getAt(site);
  }

  mapAsync<T, R>(fn: (item: T) => R | Promise<R>, iterable: Iterable<T>, options: MapOptions<Awaited<R>> = NO_CALLBACKS): AsyncResult<Awaited<R>[]> {
    return this.issueMap(this.jobSite(), 'mapAsync', fn, iterable, TaskMode.map, options);
  }

  map<T, R>(fn: (item: T) => R | Promise<R>, iterable: Iterable<T>, chunksize?: number): Promise<Awaited<R>[]> {
    const site = this.jobSite();
    return this.issueMap<Awaited<R>>(site, 'map', fn, iterable, TaskMode.map, { chunksize }).getAt(site);
  }

  starmapAsync<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, iterable: Iterable<A>, options: MapOptions<Awaited<R>> = NO_CALLBACKS): AsyncResult<Awaited<R>[]> {
    return this.issueMap(this.jobSite(), 'starmapAsync', fn, iterable, TaskMode.starmap, options);
  }

  starmap<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, iterable: Iterable<A>, chunksize?: number): Promise<Awaited<R>[]> {
    const site = this.jobSite();
    return this.issueMap<Awaited<R>>(site, 'starmap', fn, iterable, TaskMode.starmap, { chunksize }).getAt(site);
  }

  /** Results in input order, each as soon as it and all before it are in. */
  imap<T, R>(fn: (item: T) => R | Promise<R>, iterable: Iterable<T>, chunksize = 1): AsyncIterable<Awaited<R>> {
    return this.iterate(this.jobSite(), 'imap', fn, iterable, chunksize, true);
  }

  /** Results in the order they arrive. */
  imapUnordered<T, R>(fn: (item: T) => R | Promise<R>, iterable: Iterable<T>, chunksize = 1): AsyncIterable<Awaited<R>> {
    return this.iterate(this.jobSite(), 'imapUnordered', fn, iterable, chunksize, false);
  }

  /** Where the job being issued was asked for: taken first thing, while nothing has yet thrown (see callSite). */
  private jobSite(): string | undefined {
    return callSite(this, recorder().tasks);
  }

  private checkRunning(): void {
    if (this.state !== 'RUN') throw new ValueError('Pool not running');
  }

  private issueMap<R>(site: string | undefined, api: string, fn: Function, iterable: Iterable<unknown>, mode: Mode, options: MapOptions<R>): AsyncResult<R[]> {
    this.checkRunning();
    const items = [...iterable];
    let chunksize = options.chunksize;
    if (chunksize === undefined) {
      // Python's default: about four chunks per worker.
      chunksize = Math.ceil(items.length / (this.workers.size * 4));
    }
    if (items.length > 0 && (!Number.isInteger(chunksize) || chunksize < 1)) throw chunksizeError(chunksize);
    const chunks: unknown[][] = [];
    for (let i = 0; i < items.length; i += chunksize) chunks.push(items.slice(i, i + chunksize));
    return this.issue(site, api, fn, chunks, mode, true, options);
  }

  private issue<R>(site: string | undefined, api: string, fn: Function, parts: unknown[][], mode: Mode, isMap: boolean, callbacks: Callbacks<R>): AsyncResult<R> {
    this.checkRunning();
    const ref = taskRef(fn);
    const job = newJobId();
    // A job of one task (apply, applyAsync) is recorded with its task, before its callbacks.
    const onlyTask = isMap ? 0 : newTaskId();
    if (onlyTask) recordTaskJob(job, this.id, api, site, fn, onlyTask, ref.name, parts[0]);
    else recordJob(job, this.id, api, site, parts.length, fn);
    if (callbacks.callback) recordCallbackReg(job, 'result', callbacks.callback, site);
    if (callbacks.errorCallback) recordCallbackReg(job, 'error', callbacks.errorCallback, site);
    this.pendingJobs++;
    const result = new AsyncResult<R>(this, job, parts.length, isMap, callbacks);
    if (onlyTask) this.queueTask(onlyTask, ref, mode, parts[0], result);
    else parts.forEach((part, index) => this.submitChunk(ref, mode, part, index, new Chunk(job, index, result)));
    return result;
  }

  private submitChunk(ref: FnRef, mode: Mode, args: unknown[], index: number, owner: TaskOwner): void {
    const taskId = newTaskId();
    recordSubmit(taskId, owner.job, ref.name, index, args);
    this.queueTask(taskId, ref, mode, args, owner);
  }

  private queueTask(taskId: number, ref: FnRef, mode: Mode, args: unknown[], owner: TaskOwner): void {
    this.tasks.set(taskId, owner);
    try {
      this.workers.push(taskId, ref, mode, args);
    } catch (err) {
      // Arguments that cannot cross threads fail the task as Python's pools fail an unpicklable one.
      this.tasks.delete(taskId);
      this.workers.began(1);
      queueMicrotask(() => this.onResults([taskId, ...encodeThrown(err)], owner));
    }
  }

  private iterate<R>(site: string | undefined, api: string, fn: Function, iterable: Iterable<unknown>, chunksize: number, ordered: boolean): AsyncIterable<R> {
    this.checkRunning();
    if (!Number.isInteger(chunksize) || chunksize < 1) throw chunksizeError(chunksize);
    const ref = taskRef(fn);
    const job = newJobId();
    const items = [...iterable];
    const chunks: unknown[][] = [];
    for (let i = 0; i < items.length; i += chunksize) chunks.push(items.slice(i, i + chunksize));
    recordJob(job, this.id, api, site, chunks.length, fn);
    const arrived: { index: number; ok: boolean; value: unknown }[] = [];
    let wake: (() => void) | undefined;
    const sink = {
      partDone: (index: number, ok: boolean, value: unknown) => {
        // The result handler hands imap results over too, so a dead handler stalls them.
        if (!this.handler.complete(job, 'result', undefined, undefined)) return;
        arrived.push({ index, ok, value });
        wake?.();
      },
    };
    chunks.forEach((chunk, index) => this.submitChunk(ref, TaskMode.map, chunk, index, new Chunk(job, index, sink)));
    const whyNever = () => this.whyNever(job);
    return {
      async *[Symbol.asyncIterator]() {
        for (let taken = 0; taken < chunks.length; taken++) {
          const pick = () => (ordered ? arrived.findIndex((a) => a.index === taken) : arrived.length > 0 ? 0 : -1);
          while (pick() < 0) {
            await recordedWait({
              what: 'next',
              job,
              target: { neverCompletes: whyNever },
              settled: new Promise<void>((resolve) => (wake = resolve)),
            });
          }
          const [next] = arrived.splice(pick(), 1);
          if (!next.ok) {
            recordJobEvent(Rec.RETRIEVED, job);
            throw next.value;
          }
          yield* next.value as R[];
        }
      },
    };
  }

  // ---- results from the workers -----------------------------------------------------

  private onResults(items: unknown[], only?: TaskOwner): void {
    for (let i = 0; i < items.length; i += 3) {
      const taskId = items[i] as number;
      const owner = only ?? this.tasks.get(taskId);
      if (!owner) continue;
      this.tasks.delete(taskId);
      this.workers.ended(1);
      this.initOk = true;
      if (this.handler.dead !== undefined) continue;
      const { ok, value } = decodeOutcome(items[i + 1] as number, items[i + 2]);
      if (!owner.readyOnArrival(ok)) recordJobEvent(Rec.RESULT_IN, owner.job, taskId);
      owner.taskDone(ok, value, taskId);
    }
  }

  private onInitFailed(lane: number, error: string): void {
    this.failedInit.add(lane);
    if (!this.replacesDead) this.live--;
    // A Pool replaces the worker for ever, a ThreadPool not at all; either way, once every
    // worker has failed and none ever started, no task can run, and a wait on this pool is a
    // deadlock. A Pool is not broken for that (Python's goes on replacing its workers): only a
    // ThreadPool, left without workers, is recorded as broken.
    if (!this.initOk && this.failedInit.size >= this.workers.size)
      this.broken(`the pool's ${error} in every worker, so no task can ever run`, this.replacesDead ? undefined : error);
  }

  /** A worker died unasked (Python: the process exited; JS: a thread or process ended by its task). */
  private onDied(task: number, why: string): void {
    const owner = task === 0 ? undefined : this.tasks.get(task);
    if (owner) {
      // Python loses the task with its worker: its job never becomes ready.
      this.tasks.delete(task);
      this.workers.ended(1);
      if (!this.hopeless.has(owner.job)) this.hopeless.set(owner.job, `the worker running its task died: ${firstLine(why)}`);
    }
    if (!this.replacesDead && --this.live === 0 && this.state !== 'TERMINATE') {
      this.broken(`every worker of the ThreadPool died and a ThreadPool does not replace them, so no task can run (the last one ${firstLine(why)})`, firstLine(why));
    }
    recheckWaits();
  }

  /** No task of this pool can ever run, for `reason`; recorded as broken with `cause`, if given. */
  private broken(reason: string, cause: string | undefined): void {
    if (this.brokenBy !== undefined) return;
    this.brokenBy = reason;
    if (cause !== undefined) recorder().rec(Rec.POOL, MAIN_LANE, this.id, PoolAction.broken, -1, 0, 0, 0, cause);
    recheckWaits();
  }

  /** Why job `job` (or, without one, some pending job) can never become ready; undefined while it still can. */
  whyNever(job?: number): string | undefined {
    if (this.handler.dead !== undefined) return this.handler.dead;
    if (this.brokenBy !== undefined) return this.brokenBy;
    if (this.state === 'TERMINATE') return 'the pool was terminated before this result was ready';
    if (job !== undefined) return this.hopeless.get(job) ?? this.handler.swallowed(job);
    for (const why of this.hopeless.values()) return why;
    return this.handler.swallowed();
  }

  settledJob(): void {
    if (--this.pendingJobs > 0 || !this.allSettled) return;
    this.allSettled.resolve();
    this.allSettled = undefined;
  }

  private allJobsSettled(): Promise<void> {
    if (this.pendingJobs === 0) return Promise.resolve();
    return (this.allSettled ??= newDeferred()).promise;
  }

  // ---- lifecycle --------------------------------------------------------------------

  close(): void {
    const site = callSite(this, this.state === 'RUN');
    if (this.state === 'RUN') {
      this.state = 'CLOSE';
      recorder().rec(Rec.POOL, MAIN_LANE, this.id, PoolAction.close, recorder().str(site));
      this.workers.close();
    }
  }

  terminate(): void {
    const site = callSite(this, this.state !== 'TERMINATE');
    if (this.handler.dead !== undefined && this.pendingJobs > 0) {
      throw new AssertionError('Cannot have cache with result_hander not alive');
    }
    if (this.state === 'TERMINATE') return;
    this.state = 'TERMINATE';
    const rec = recorder();
    rec.rec(Rec.POOL, MAIN_LANE, this.id, PoolAction.terminate, rec.str(site));
    for (const taskId of this.workers.terminate()) {
      if (rec.tasks) rec.rec(Rec.TASK_DROP, MAIN_LANE, taskId, TaskStatus.cancelled);
    }
    recheckWaits();
  }

  /** Waits for the workers to finish (after close) or stop (after terminate), and for every callback. */
  join(): Promise<void> {
    const site = callSite(this, false);
    if (this.state === 'RUN') throw new ValueError('Pool is still running');
    const done = this.allJobsSettled().then(() => this.workers.joined());
    return recordedWait({
      site,
      what: 'join',
      target: { neverCompletes: () => (this.state === 'TERMINATE' || this.pendingJobs === 0 ? undefined : this.whyNever()) },
      settled: this.state === 'TERMINATE' ? this.workers.joined() : done,
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
  }

  get [Symbol.toStringTag](): string {
    return `${this.kind}(${this.state})`;
  }
}

/** Python's message; a value that is not a number (options passed where the size goes) shown as itself. */
function chunksizeError(chunksize: unknown): Error {
  return new ValueError(`Chunksize must be 1+, not ${preview(chunksize)}`);
}
