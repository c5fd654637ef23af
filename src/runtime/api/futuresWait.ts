// concurrent.futures.as_completed and wait.
import { FuturesTimeoutError } from './errors';
import type { Future } from './future';
import { recordedWait } from './waits';

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

function anyDone(futures: Iterable<Future<any>>): Promise<void> {
  return Promise.race([...futures].map((f) => f.whenDone()));
}

function failed(f: Future<any>): boolean {
  return f.done() && !f.cancelled() && (f as unknown as { error?: unknown }).error !== undefined;
}

/** Yields each future as it finishes (those already done first); the timeout counts from the call. */
export async function* asCompleted<R>(futures: Iterable<Future<R>>, timeout?: number): AsyncGenerator<Future<R>> {
  const end = timeout === undefined ? undefined : performance.now() + timeout;
  const pending = new Set(futures);
  const total = pending.size;
  while (pending.size > 0) {
    const finished = [...pending].filter((f) => f.done());
    for (const f of finished) {
      pending.delete(f);
      yield f;
    }
    if (pending.size === 0) return;
    await recordedWait({
      what: 'asCompleted',
      timeoutMs: end === undefined ? undefined : Math.max(0, end - performance.now()),
      settled: anyDone(pending),
      timeoutError: () => new FuturesTimeoutError(`${pending.size} (of ${total}) futures unfinished`),
    });
  }
}

export interface WaitResult<R> {
  done: Set<Future<R>>;
  notDone: Set<Future<R>>;
}

export async function wait<R>(futures: Iterable<Future<R>>, options: { timeout?: number; returnWhen?: ReturnWhen } = {}): Promise<WaitResult<R>> {
  const all = new Set(futures);
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  const end = options.timeout === undefined ? undefined : performance.now() + options.timeout;
  const enough = () => {
    const done = [...all].filter((f) => f.done());
    if (returnWhen === FIRST_COMPLETED) return done.length > 0;
    if (returnWhen === FIRST_EXCEPTION && done.some(failed)) return true;
    return done.length === all.size;
  };
  while (!enough()) {
    const left = end === undefined ? undefined : end - performance.now();
    if (left !== undefined && left <= 0) break;
    const timedOut = await recordedWait({
      what: 'wait',
      timeoutMs: left,
      settled: anyDone([...all].filter((f) => !f.done())).then(() => false),
      timeoutError: () => new FuturesTimeoutError(),
    }).catch((e) => {
      if (e instanceof FuturesTimeoutError) return true;
      throw e;
    });
    if (timedOut) break;
  }
  const done = new Set([...all].filter((f) => f.done()));
  return { done, notDone: new Set([...all].filter((f) => !done.has(f))) };
}
