// Reading untrusted trace files with the field readers of fields.ts: a bad field throws a
// TraceFormatError naming its full path (`traceEvents[12].dur`), what it must be and what it
// was, so a person can fix the file.
import { Fields as FieldReader, failWith, type Complaint } from './fields';

export { describe, isObj } from './fields';

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

const complain: Complaint = (text) => new TraceFormatError(`Invalid trace: ${text}`);

export function fail(path: string, want: string, got: unknown): never {
  failWith(complain, path, want, got);
}

export function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v;
}

export function asInt(v: unknown, path: string, min = -(2 ** 31), max = 2 ** 31 - 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `an integer from ${min} to ${max}`, v);
  return v;
}

/** One object of a trace file, read field by field. */
export class Fields extends FieldReader {
  constructor(o: Record<string, unknown>, path: string) {
    super(o, path, complain);
  }

  static override of(v: unknown, path: string): FieldReader {
    return FieldReader.of(v, path, complain);
  }
}
