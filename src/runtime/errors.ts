// Python's exception names and messages, so the lessons read the same in both languages.

function named<T extends new (...a: any[]) => Error>(name: string, base: T): T {
  const C = class extends base {} as T;
  Object.defineProperty(C, 'name', { value: name });
  Object.defineProperty(C.prototype, 'name', { value: name, writable: true, configurable: true });
  return C;
}

export const ValueError = named('ValueError', Error);
export const RuntimeError = named('RuntimeError', Error);
export const AssertionError = named('AssertionError', Error);
/** multiprocessing.TimeoutError, raised by AsyncResult.get(timeout). */
export const TimeoutError = named('TimeoutError', Error);
/** concurrent.futures.TimeoutError. */
export const FuturesTimeoutError = named('TimeoutError', Error);
export const CancelledError = named('CancelledError', Error);
export const InvalidStateError = named('InvalidStateError', Error);
export const BrokenExecutor = named('BrokenExecutor', RuntimeError);
export const BrokenThreadPool = named('BrokenThreadPool', BrokenExecutor);
export const BrokenProcessPool = named('BrokenProcessPool', BrokenExecutor);
/** A result (or arguments) that could not cross threads: not structured-cloneable. */
export const MaybeEncodingError = named('MaybeEncodingError', Error);

export function encodingError(what: 'result' | 'arguments', value: unknown, reason: unknown): Error {
  const shown = typeof value === 'function' ? `<function ${value.name || 'anonymous'}>` : String(value);
  const why = reason instanceof Error ? reason.message : String(reason);
  return new MaybeEncodingError(`Error sending ${what}: '${shown.slice(0, 200)}'. Reason: '${why}'`);
}
