// Future: concurrent.futures.Future (SEMANTICS.md B.15-19).
import { Rec } from '../trace/records';
import { CancelledError, FuturesTimeoutError } from './errors';
import { recordCallbackReg, recordJobEvent } from './jobRecords';
import { runCallback } from './resultHandler';
import { recorder } from './recorder';
import { callSite } from './sites';
import { CALLBACK_LANE, currentLane } from './thread';
import { recordedWait, type Completable } from './waits';

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
  private readonly callbacks: ((f: Future<R>) => void)[] = [];
  private readonly donePromise: Promise<void>;
  private markDone!: () => void;

  /** @internal created by executors */
  constructor(
    private readonly owner: FutureOwner,
    readonly job: number,
  ) {
    this.donePromise = new Promise((resolve) => (this.markDone = resolve));
  }

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
    return this.waitFor(callSite(this, false), 'result', timeout, () => {
      if (this.state === 'CANCELLED') throw new CancelledError();
      if (this.error) {
        recordJobEvent(Rec.RETRIEVED, this.job);
        throw this.error.error;
      }
      return this.value as R;
    });
  }

  exception(timeout?: number): Promise<unknown> {
    return this.waitFor(callSite(this, false), 'exception', timeout, () => {
      if (this.state === 'CANCELLED') throw new CancelledError();
      if (!this.error) return null;
      recordJobEvent(Rec.RETRIEVED, this.job);
      return this.error.error;
    });
  }

  addDoneCallback(fn: (f: Future<R>) => void): void {
    recordCallbackReg(this.job, 'done', fn, callSite(this, recorder().tasks));
    if (this.state === 'PENDING') {
      this.callbacks.push(fn);
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
    return this.donePromise;
  }

  /** @internal the task finished (`arrived`: its outcome came in just now) or the executor broke */
  finish(ok: boolean, value: unknown, arrived = false): void {
    if (this.state !== 'PENDING') return;
    if (ok) this.value = value;
    else this.error = { error: value };
    this.finishAs('FINISHED', arrived);
    this.owner.later(() => this.runCallbacks(CALLBACK_LANE));
  }

  /** @internal cancelled by shutdown(cancelFutures) or a map being abandoned, task already unqueued */
  cancelNow(): void {
    if (this.state !== 'PENDING') return;
    this.finishAs('CANCELLED');
    this.runCallbacks(currentLane());
  }

  private finishAs(state: State, arrived = false): void {
    this.state = state;
    recordJobEvent(Rec.JOB_READY, this.job, state === 'CANCELLED' ? 2 : this.error ? 1 : 0, arrived ? 1 : 0);
    this.markDone();
  }

  private runCallbacks(lane: number): void {
    for (const fn of this.callbacks.splice(0)) this.invoke(fn, lane);
  }

  private invoke(fn: (f: Future<R>) => void, lane: number): void {
    // A done callback that throws is logged and the others still run (rule B.17).
    runCallback(this.job, 'done', fn, this, (stack) => console.error(`exception calling callback for ${this}\n${stack}`), lane);
  }

  private waitFor<T>(site: string | undefined, what: string, timeout: number | undefined, read: () => T): Promise<T> {
    return recordedWait({
      site,
      what,
      job: this.job,
      timeoutMs: timeout,
      target: this,
      settled: this.donePromise.then(read),
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
