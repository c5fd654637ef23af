// The one way untrusted input is read (trace files, what the webview posts, what reaches the
// webview): field by field, each read checking one field and, when it is wrong, throwing an
// error that names the field's full path (`traceEvents[12].dur`, `msg.site.line`), what it must
// be and what it was. Each kind of input says how its errors are made (`Complaint`).
import type { Site } from './model';

/** Makes the error thrown for a bad field, from its text ("<path> must be <want> (got <what>)"). */
export type Complaint = (text: string) => Error;

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

export function failWith(complain: Complaint, path: string, want: string, got: unknown): never {
  throw complain(`${path} must be ${want} (got ${describe(got)})`);
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One object of the input, read field by field. */
export class Fields {
  constructor(
    readonly o: Obj,
    readonly path: string,
    readonly complain: Complaint,
  ) {}

  static of(v: unknown, path: string, complain: Complaint): Fields {
    if (!isObj(v)) failWith(complain, path || 'the input', 'an object', v);
    return new Fields(v, path, complain);
  }

  at(k: string): string {
    return this.path ? `${this.path}.${k}` : k;
  }

  fail(k: string, want: string, got: unknown): never {
    failWith(this.complain, this.at(k), want, got);
  }

  has(k: string): boolean {
    return this.o[k] !== undefined;
  }

  /** Rejects any field not named in `keys`. */
  only(keys: readonly string[]): this {
    const extra = Object.keys(this.o).find((k) => !keys.includes(k));
    if (extra !== undefined) throw this.complain(`${this.path || 'the input'} has an unexpected field '${extra}'`);
    return this;
  }

  num(k: string, min = -Infinity): number {
    const v = this.o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) this.fail(k, min === 0 ? 'a non-negative number' : 'a finite number', v);
    return v;
  }

  optNum(k: string): number | undefined {
    return this.has(k) ? this.num(k) : undefined;
  }

  int(k: string, min = INT32_MIN, max = INT32_MAX): number {
    const v = this.o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(k, `an integer from ${min} to ${max}`, v);
    return v;
  }

  optInt(k: string, min?: number, max?: number): number | undefined {
    return this.has(k) ? this.int(k, min, max) : undefined;
  }

  /** A count: an integer from 0 up. */
  count(k: string): number {
    return this.int(k, 0, Number.MAX_SAFE_INTEGER);
  }

  str(k: string): string {
    const v = this.o[k];
    if (typeof v !== 'string') this.fail(k, 'a string', v);
    return v;
  }

  optStr(k: string): string | undefined {
    return this.has(k) ? this.str(k) : undefined;
  }

  bool(k: string): boolean {
    const v = this.o[k];
    if (typeof v !== 'boolean') this.fail(k, 'true or false', v);
    return v;
  }

  optBool(k: string): boolean | undefined {
    return this.has(k) ? this.bool(k) : undefined;
  }

  /**
   * A string that must be one of `names`, or a key of `table` (a Record over a union type, so the
   * list stays complete).
   */
  oneOf<T extends string>(k: string, table: readonly T[] | Record<T, unknown>): T {
    const v = this.o[k];
    const list = Array.isArray(table) ? (table as readonly string[]) : undefined;
    if (typeof v !== 'string' || !(list ? list.includes(v) : Object.hasOwn(table, v))) this.fail(k, `one of ${(list ?? Object.keys(table)).join(', ')}`, v);
    return v as T;
  }

  optOneOf<T extends string>(k: string, table: readonly T[] | Record<T, unknown>): T | undefined {
    return this.has(k) ? this.oneOf(k, table) : undefined;
  }

  obj(k: string): Fields {
    return Fields.of(this.o[k], this.at(k), this.complain);
  }

  optObj(k: string): Fields | undefined {
    return this.has(k) ? this.obj(k) : undefined;
  }

  arr(k: string): unknown[] {
    const v = this.o[k];
    if (!Array.isArray(v)) this.fail(k, 'an array', v);
    return v;
  }

  /** An optional source location {file, line, col}. */
  optSite(k: string): Site | undefined {
    const f = this.optObj(k);
    if (!f) return undefined;
    return { file: f.str('file'), line: f.int('line', 0), col: f.int('col', 0) };
  }
}
