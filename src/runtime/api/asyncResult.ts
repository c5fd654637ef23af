// AsyncResult: the handle applyAsync / mapAsync / starmapAsync return (docs/SEMANTICS.md A.2-5, 9).
import { Rec } from '../../trace/records';
import { TimeoutError, ValueError } from './errors';
import { recordJobEvent } from '../record/jobRecords';
import { newDeferred, type Deferred } from './deferred';
import type { ResultHandler } from './resultHandler';
import { callSite } from '../sites/sites';
import { DirectWait, recordedWait, type Completable } from './waits';

export interface ResultOwner {
  readonly handler: ResultHandler;
  /** why job `job`, not ready yet, can never become ready, if so */
  whyNever(job: number): string | undefined;
  /** one of the owner's jobs became ready */
  settledJob(): void;
}

export interface Callbacks<R> {
  callback?: (value: R) => void;
  errorCallback?: (error: any) => void;
}

/** Shared by every job issued without callbacks. */
export const NO_CALLBACKS: Callbacks<any> = Object.freeze({});

export class AsyncResult<R = unknown> implements Completable {
  private state: 'pending' | 'ok' | 'error' = 'pending';
  private value: unknown;
  private left: number;
  private readonly chunks: unknown[][] | undefined;
  /** the first error to arrive, and the task it came from */
  private failure: { error: unknown; taskId: number } | undefined;
  /** the first get() waiting, ended by settle itself: the usual `applyAsync(...).get()` */
  private waiter: DirectWait<R> | undefined;
  /** made on the first other wait: most results of a big batch are only read once ready */
  private waiters: Deferred | undefined;

  /** @internal created by pools */
  constructor(
    private readonly owner: ResultOwner,
    readonly job: number,
    parts: number,
    isMap: boolean,
    private readonly callbacks: Callbacks<R>,
  ) {
    this.left = parts;
    this.chunks = isMap ? new Array(parts) : undefined;
    if (isMap && parts === 0) this.settle('ok', []);
  }

  /**
   * @internal whether this outcome, taken in now, makes the job ready at once: it is the last
   * one and no callback has to run first (then one record says both).
   */
  readyOnArrival(ok: boolean): boolean {
    if (this.left !== 1) return false;
    return (this.failure !== undefined || !ok ? this.callbacks.errorCallback : this.callbacks.callback) === undefined;
  }

  /** @internal the outcome of a one-task job's task */
  taskDone(ok: boolean, value: unknown, taskId: number): void {
    this.partDone(0, ok, value, taskId);
  }

  /** @internal one task of the job finished (a chunk, for map jobs) */
  partDone(index: number, ok: boolean, value: unknown, taskId: number): void {
    const arrived = this.readyOnArrival(ok);
    this.left--;
    if (ok && this.chunks) this.chunks[index] = value as unknown[];
    else if (ok) this.value = value;
    // Only the first error to arrive is kept (rule A.4).
    else if (!this.failure) this.failure = { error: value, taskId };
    if (this.left > 0) return;
    if (this.failure) {
      const { error, taskId: from } = this.failure;
      if (this.callbacks.errorCallback) recordJobEvent(Rec.RETRIEVED, this.job);
      if (this.owner.handler.complete(this.job, 'error', this.callbacks.errorCallback, error, from)) this.settle('error', error, arrived);
    } else {
      const result = this.chunks ? this.chunks.flat() : this.value;
      if (this.owner.handler.complete(this.job, 'result', this.callbacks.callback, result)) this.settle('ok', result, arrived);
    }
  }

  /** `arrived`: the last outcome came in just now (see readyOnArrival). */
  private settle(state: 'ok' | 'error', value: unknown, arrived = false): void {
    this.state = state;
    this.value = value;
    const first = this.waiter;
    this.waiter = undefined;
    // The first get's wait ends now too, and this record says so (one record, not two).
    recordJobEvent(Rec.JOB_READY, this.job, state === 'ok' ? 0 : 1, arrived ? 1 : 0, first?.endId ?? 0);
    this.owner.settledJob();
    if (first) {
      if (state === 'error') recordJobEvent(Rec.RETRIEVED, this.job);
      first.settle(state === 'ok', value);
    }
    this.waiters?.resolve();
  }

  /** @internal resolves when ready, without recording a wait */
  whenReady(): Promise<void> {
    if (this.ready()) return Promise.resolve();
    return (this.waiters ??= newDeferred()).promise;
  }

  ready(): boolean {
    return this.state !== 'pending';
  }

  successful(): boolean {
    if (!this.ready()) throw new ValueError(`${this} not ready`);
    return this.state === 'ok';
  }

  neverCompletes(): string | undefined {
    return this.ready() ? undefined : this.owner.whyNever(this.job);
  }

  /** Resolves when ready, or when the timeout is up (without an error, as Python's wait). */
  wait(timeout?: number): Promise<void> {
    const site = callSite(this, false);
    return recordedWait({
      site,
      what: 'wait',
      job: this.job,
      timeoutMs: timeout,
      target: this,
      settled: this.whenReady(),
      timeoutError: () => new TimeoutError(),
    }).catch((e) => {
      if (e instanceof TimeoutError) return;
      throw e;
    });
  }

  get(timeout?: number): Promise<R> {
    return this.getAt(callSite(this, false), timeout);
  }

  /** @internal get() for a wait whose line is known: pool.apply() waits where it was called. */
  getAt(site: string | undefined, timeout?: number): Promise<R> {
    // A ready result is handed over without waiting, so nothing is drawn as a wait.
    if (this.ready()) {
      try {
        return Promise.resolve(this.outcome());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (timeout === undefined && !this.waiter) {
      this.waiter = new DirectWait<R>('get', this.job, site, this);
      return this.waiter.promise;
    }
    return recordedWait({
      site,
      what: 'get',
      job: this.job,
      timeoutMs: timeout,
      target: this,
      settled: this.whenReady().then(() => this.outcome()),
      timeoutError: () => new TimeoutError(),
    });
  }

  /** @internal the value, or the error thrown (the same object every time) */
  outcome(): R {
    if (this.state === 'error') {
      recordJobEvent(Rec.RETRIEVED, this.job);
      throw this.value;
    }
    return this.value as R;
  }

  toString(): string {
    return `<AsyncResult job=${this.job} ${this.state}>`;
  }
}
