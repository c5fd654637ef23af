// Python's exception names and messages, so the lessons read the same in both languages.
import { preview } from '../record/preview';

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
/**
 * Python's KeyError, for what a lookup did not find. Thrown by a pool callback it is the one
 * error the result handler swallows (docs/SEMANTICS.md A.7a): that job never becomes ready.
 */
export const KeyError = named('KeyError', Error);
/** A result (or arguments) that could not cross threads: not structured-cloneable. */
export const MaybeEncodingError = named('MaybeEncodingError', Error);

export function encodingError(what: 'result' | 'arguments', value: unknown, reason: unknown): Error {
  // As Python shows the value's repr: an object as its fields, not '[object Object]'.
  const shown = typeof value === 'function' ? `<function ${value.name || 'anonymous'}>` : preview(value);
  const why = reason instanceof Error ? reason.message : String(reason);
  return new MaybeEncodingError(`Error sending ${what}: '${shown.slice(0, 200)}'. Reason: '${why}'`);
}

const BAD_INPUT = Symbol('poolscope.badInput');

/** Marks an error as a mistake in the task file rather than in the program's logic. */
export function badInput<E extends Error>(e: E): E {
  Object.defineProperty(e, BAD_INPUT, { value: true });
  return e;
}

/**
 * Errors that say the task file itself is wrong, when main lets them escape: a task function
 * that is not exported, or a value that cannot cross threads.
 */
export function isBadInput(e: unknown): boolean {
  return e instanceof MaybeEncodingError || (e instanceof Error && (e as unknown as Record<symbol, unknown>)[BAD_INPUT] === true);
}
