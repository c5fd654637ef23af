// How a task's outcome crosses from a worker to main. Structured clone keeps an Error's
// message and stack but turns every class it does not know (ValueError, a user's own
// subclass) into a plain Error; Python's pools keep the exception's type. So a thrown Error
// travels as its parts and is rebuilt in main with the class of that name when there is one.
import * as errors from '../api/errors';
import { MaybeEncodingError } from '../api/errors';

export const ResultStatus = {
  ok: 0,
  /** a thrown value that is not an Error, as is */
  thrown: 1,
  /** the result could not be sent: value is the MaybeEncodingError message */
  encoding: 2,
  /** a thrown Error, as its parts */
  error: 3,
} as const;

interface ErrorParts {
  name: string;
  message: string;
  stack?: string;
  props: Record<string, string | number | boolean | null>;
}

const BUILT_IN: Record<string, ErrorConstructor> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };
const KNOWN: Record<string, new (message?: string) => Error> = { ...BUILT_IN, ...(errors as unknown as Record<string, new (m?: string) => Error>) };

/** The status and value a worker sends for a thrown value. */
export function encodeThrown(e: unknown): [number, unknown] {
  if (!(e instanceof Error)) return [ResultStatus.thrown, e];
  const props: ErrorParts['props'] = {};
  // Plain own fields (code, errno, ...) come along; anything richer might not be cloneable.
  for (const [k, v] of Object.entries(e)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[k] = v as string | number | boolean | null;
  }
  const parts: ErrorParts = { name: e.name, message: e.message, stack: e.stack, props };
  return [ResultStatus.error, parts];
}

/** In main: whether the task succeeded, and its value or the error to hand to user code. */
export function decodeOutcome(status: number, value: unknown): { ok: boolean; value: unknown } {
  switch (status) {
    case ResultStatus.ok:
      return { ok: true, value };
    case ResultStatus.encoding:
      return { ok: false, value: new MaybeEncodingError(value as string) };
    case ResultStatus.error:
      return { ok: false, value: rebuild(value as ErrorParts) };
    default:
      return { ok: false, value };
  }
}

function rebuild(parts: ErrorParts): Error {
  const Cls = Object.hasOwn(KNOWN, parts.name) ? KNOWN[parts.name] : Error;
  const e = new Cls(parts.message);
  if (e.name !== parts.name) Object.defineProperty(e, 'name', { value: parts.name, writable: true, configurable: true });
  if (parts.stack !== undefined) e.stack = parts.stack;
  return Object.assign(e, parts.props);
}
