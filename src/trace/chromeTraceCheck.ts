// Field readers for untrusted trace files: each read checks one field's type and, when it is
// wrong, throws an error that names the field's full path (`traceEvents[12].dur`), what it
// must be and what it was, so a person can fix the file.
import type { Site } from './model';

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

type Obj = Record<string, unknown>;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

export function fail(path: string, want: string, got: unknown): never {
  throw new TraceFormatError(`Invalid trace: ${path} must be ${want} (got ${describe(got)})`);
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v;
}

export function asInt(v: unknown, path: string, min = INT32_MIN, max = INT32_MAX): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, `an integer from ${min} to ${max}`, v);
  }
  return v;
}

/** One object of the file, read field by field. */
export class Fields {
  constructor(
    readonly o: Obj,
    readonly path: string,
  ) {}

  static of(v: unknown, path: string): Fields {
    if (!isObj(v)) fail(path, 'an object', v);
    return new Fields(v, path);
  }

  at(k: string): string {
    return this.path ? `${this.path}.${k}` : k;
  }

  has(k: string): boolean {
    return this.o[k] !== undefined;
  }

  num(k: string, min = -Infinity): number {
    const v = this.o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      fail(this.at(k), min === 0 ? 'a non-negative number' : 'a finite number', v);
    }
    return v;
  }

  optNum(k: string): number | undefined {
    return this.has(k) ? this.num(k) : undefined;
  }

  int(k: string, min?: number, max?: number): number {
    return asInt(this.o[k], this.at(k), min, max);
  }

  optInt(k: string, min?: number, max?: number): number | undefined {
    return this.has(k) ? this.int(k, min, max) : undefined;
  }

  str(k: string): string {
    const v = this.o[k];
    if (typeof v !== 'string') fail(this.at(k), 'a string', v);
    return v;
  }

  optStr(k: string): string | undefined {
    return this.has(k) ? this.str(k) : undefined;
  }

  bool(k: string): boolean {
    const v = this.o[k];
    if (typeof v !== 'boolean') fail(this.at(k), 'true or false', v);
    return v;
  }

  optBool(k: string): boolean | undefined {
    return this.has(k) ? this.bool(k) : undefined;
  }

  /** A string that must be a key of `table` (a Record over a union type, so the list stays complete). */
  oneOf<T extends string>(k: string, table: Record<T, unknown>): T {
    const v = this.o[k];
    if (typeof v !== 'string' || !Object.hasOwn(table, v)) {
      fail(this.at(k), `one of ${Object.keys(table).join(', ')}`, v);
    }
    return v as T;
  }

  optOneOf<T extends string>(k: string, table: Record<T, unknown>): T | undefined {
    return this.has(k) ? this.oneOf(k, table) : undefined;
  }

  obj(k: string): Fields {
    return Fields.of(this.o[k], this.at(k));
  }

  optObj(k: string): Fields | undefined {
    return this.has(k) ? this.obj(k) : undefined;
  }

  arr(k: string): unknown[] {
    return asArray(this.o[k], this.at(k));
  }

  /** An optional source location {file, line, col}. */
  optSite(k: string): Site | undefined {
    const f = this.optObj(k);
    if (!f) return undefined;
    return { file: f.str('file'), line: f.int('line', 0), col: f.int('col', 0) };
  }
}
