// Future: concurrent.futures.Future (docs/SEMANTICS.md B.15-19).
import { Rec } from '../../trace/records';
import { CancelledError, FuturesTimeoutError } from './errors';
import { recordCallbackReg, recordJobEvent } from '../record/jobRecords';
import { runCallback } from './resultHandler';
import { recorder } from '../record/recorder';
import { newDeferred, type Deferred } from './deferred';
import { callSite } from '../sites/sites';
import { CALLBACK_LANE, currentLane } from '../record/lanes';
import { DirectWait, recordedWait, type Completable } from './waits';

export interface FutureOwner {
  /** Cancels the queued task if no worker has taken it. */
  cancelQueued(future: Future<any>): boolean;
  /** Whether a worker has taken the task. */
  taken(future: Future<any>): boolean;
  /** Runs `run` after the waiters released by this completion have gone on (rule B.18). */
  later(run: () => void): void;
}

type State = 'PENDING' | 'CANCELLED' | 'FINISHED';

export class Future<R = unknown> implements Completable {
  private state: State = 'PENDING';
  private value: unknown;
  private error: { error: unknown } | undefined;
  /** done callbacks added while pending; made on the first, as most futures get none */
  private callbacks: ((f: Future<R>) => void)[] | undefined;
  /** made on the first wait other than the first result()/exception() (see whenDone) */
  private doneDeferred: Deferred | undefined;
  /** the first result() or exception() waiting, ended by the future's finishing itself */
  private waiter: DirectWait<unknown> | undefined;
  private waiterWantsException = false;

  /** @internal the executor's handle on the queued task */
  taskId = 0;
  /** @internal where the task sits in the queue, to cancel it */
  queuePos = 0;

  /** @internal created by executors */
  constructor(
    private readonly owner: FutureOwner,
    readonly job: number,
  ) {}

  cancel(): boolean {
    if (this.state === 'CANCELLED') return true;
    if (this.state === 'FINISHED' || !this.owner.cancelQueued(this)) return false;
    this.finishAs('CANCELLED');
    this.runCallbacks(currentLane());
    return true;
  }

  cancelled(): boolean {
    return this.state === 'CANCELLED';
  }

  running(): boolean {
    return this.state === 'PENDING' && this.owner.taken(this);
  }

  done(): boolean {
    return this.state !== 'PENDING';
  }

  result(timeout?: number): Promise<R> {
    return this.waitFor(callSite(this, false), 'result', timeout, false) as Promise<R>;
  }

  exception(timeout?: number): Promise<unknown> {
    return this.waitFor(callSite(this, false), 'exception', timeout, true);
  }

  /** What result() (or exception()) gives once done; throws what it throws. */
  private read(wantsException: boolean): unknown {
    if (this.state === 'CANCELLED') throw new CancelledError();
    if (!this.error) return wantsException ? null : this.value;
    recordJobEvent(Rec.RETRIEVED, this.job);
    if (wantsException) return this.error.error;
    throw this.error.error;
  }

  addDoneCallback(fn: (f: Future<R>) => void): void {
    recordCallbackReg(this.job, 'done', fn, callSite(this, recorder().tasks));
    if (this.state === 'PENDING') {
      (this.callbacks ??= []).push(fn);
      return;
    }
    // Already done: called at once, in the caller, as Python does.
    this.invoke(fn, currentLane());
  }

  neverCompletes(): string | undefined {
    return undefined;
  }

  /** @internal resolves when done, without recording a wait */
  whenDone(): Promise<void> {
    if (this.state !== 'PENDING') return Promise.resolve();
    return (this.doneDeferred ??= newDeferred()).promise;
  }

  /** @internal the task finished (`arrived`: its outcome came in just now) or the executor broke */
  finish(ok: boolean, value: unknown, arrived = false): void {
    if (this.state !== 'PENDING') return;
    if (ok) this.value = value;
    else this.error = { error: value };
    this.finishAs('FINISHED', arrived);
    if (this.callbacks) this.owner.later(() => this.runCallbacks(CALLBACK_LANE));
  }

  /** @internal cancelled by shutdown(cancelFutures) or a map being abandoned, task already unqueued */
  cancelNow(): void {
    if (this.state !== 'PENDING') return;
    this.finishAs('CANCELLED');
    this.runCallbacks(currentLane());
  }

  private finishAs(state: State, arrived = false): void {
    this.state = state;
    const first = this.waiter;
    this.waiter = undefined;
    // The first result()'s wait ends now too, and this record says so (one record, not two).
    recordJobEvent(Rec.JOB_READY, this.job, state === 'CANCELLED' ? 2 : this.error ? 1 : 0, arrived ? 1 : 0, first?.endId ?? 0);
    this.doneDeferred?.resolve();
    if (!first) return;
    let value: unknown;
    try {
      value = this.read(this.waiterWantsException);
    } catch (e) {
      first.settle(false, e);
      return;
    }
    first.settle(true, value);
  }

  private runCallbacks(lane: number): void {
    const callbacks = this.callbacks;
    this.callbacks = undefined;
    for (const fn of callbacks ?? []) this.invoke(fn, lane);
  }

  private invoke(fn: (f: Future<R>) => void, lane: number): void {
    // A done callback that throws is logged and the others still run (rule B.17).
    runCallback(this.job, 'done', fn, this, (stack) => console.error(`exception calling callback for ${this}\n${stack}`), lane);
  }

  private waitFor(site: string | undefined, what: string, timeout: number | undefined, wantsException: boolean): Promise<unknown> {
    if (this.state === 'PENDING' && timeout === undefined && !this.waiter) {
      this.waiter = new DirectWait(what, this.job, site, this);
      this.waiterWantsException = wantsException;
      return this.waiter.promise;
    }
    return recordedWait({
      site,
      what,
      job: this.job,
      timeoutMs: timeout,
      target: this,
      settled: this.whenDone().then(() => this.read(wantsException)),
      timeoutError: () => new FuturesTimeoutError(),
    });
  }

  toString(): string {
    const s = this.state.toLowerCase();
    if (this.state !== 'FINISHED') return `<Future job=${this.job} state=${this.running() ? 'running' : s}>`;
    if (this.error) {
      const e = this.error.error;
      return `<Future job=${this.job} state=finished raised ${e instanceof Error ? e.name : typeof e}>`;
    }
    const v = this.value;
    const kind = v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
    return `<Future job=${this.job} state=finished returned ${kind}>`;
  }
}
