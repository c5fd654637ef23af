// A span's fields as columns of numbers, one typed array each, with strings interned (id 0:
// none). SPAN_COLUMNS is the one definition of them: the host's store, the wire to the view, the
// view's copy of the trace and the Chrome trace export and import all follow it, so a new span
// field is one entry here and its type on Span (model.ts).
import { CALLBACK_KINDS, SPAN_KINDS, SPAN_STATUSES, formatSite, parseSite, type Site, type Span, type SpanKind, type SpanStatus } from './model';
import type { Fields } from './fields';
import { STATUSES_BY_KIND, quantize } from './chromeTraceFormat';

type ColumnArray = Uint8ArrayConstructor | Int8ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Float64ArrayConstructor;

/** How a field's value is kept in its column. */
interface Codec<V, In> {
  /** the column's value for a span without the field (a new row's) */
  none: number;
  /** the field's value from the column's, given the interned strings */
  read(v: number, strings: readonly string[]): V;
  /** the column's value for a field given as `value`: a string is interned by `intern` */
  write(value: In, intern?: (s: string | undefined) => number): number;
}

/** A number kept as itself, present on every span. */
const number = (none = 0): Codec<number, number> => ({ none, read: (v) => v, write: (v) => v });
/** A number that some spans have: one without it holds `none` (NaN, or -1 for a count, where any negative reads as none). */
const optionalNumber = (none: number): Codec<number | undefined, number | undefined> => ({
  none,
  read: (v) => (Number.isNaN(v) || (none < 0 && v < 0) ? undefined : v),
  write: (v) => v ?? none,
});
/** A string kept as its interned id; `fallback` is what a span without it reads. */
const string = <F extends string | undefined>(fallback: F): Codec<string | F, string | undefined> => ({
  none: 0,
  read: (v, strings) => (v === 0 ? fallback : (strings[v] ?? fallback)),
  write: (s, intern) => intern!(s),
});
/** A source location kept as its 'file:line:col' text's interned id. */
const site: Codec<Site | undefined, string | undefined> = { none: 0, read: (v, strings) => parseSite(v === 0 ? undefined : strings[v]), write: (s, intern) => intern!(s) };
/** One of a list of names, kept as its index (codes stay as they are: a name added later goes last). */
function oneOf<T extends string>(names: readonly T[]): Codec<T, T>;
function oneOf<T extends string>(names: readonly T[], none: number): Codec<T | undefined, T | undefined>;
function oneOf<T extends string>(names: readonly T[], none?: number): Codec<T | undefined, T | undefined> {
  const codes = new Map<string, number>(names.map((n, i) => [n, i]));
  return { none: none ?? 0, read: (v) => (v < 0 ? undefined : names[v]), write: (n) => (n === undefined ? (none ?? 0) : codes.get(n)!) };
}

/**
 * How a field rides in a Chrome trace event: as the arg `arg`, written when the span has the
 * field (`write` when it is not written as it is) and read back by `read`. Fields without one
 * are the event's own: tid (lane), cat (kind), name, ts (start) and dur (end).
 */
interface ChromeArg<V, In> {
  arg: string;
  write?(value: Exclude<V, undefined>, args: Record<string, unknown>, ts: number): void;
  /** the field from the event's args, checked; `kind` is the span's */
  read(args: Fields, kind: SpanKind): In;
}

const optInt = (arg: string, min?: number): ChromeArg<number | undefined, number | undefined> => ({ arg, read: (a) => a.optInt(arg, min) });
const optStr = (arg: string): ChromeArg<string | undefined, string | undefined> => ({ arg, read: (a) => a.optStr(arg) });
const optSite = (arg: string): ChromeArg<Site | undefined, string | undefined> => ({
  arg,
  read: (a) => {
    const s = a.optSite(arg);
    return s && formatSite(s);
  },
});

interface Column<A extends ColumnArray, V, In> {
  array: A;
  codec: Codec<V, In>;
  chrome?: ChromeArg<V, In>;
}
const column = <A extends ColumnArray, V, In>(array: A, codec: Codec<V, In>, chrome?: ChromeArg<V, In>): Column<A, V, In> => ({ array, codec, ...(chrome ? { chrome } : {}) });

/** The span columns, in the order the Chrome trace export writes their args. */
export const SPAN_COLUMNS = {
  lane: column(Uint16Array, number()),
  kind: column(Uint8Array, oneOf(SPAN_KINDS)),
  name: column(Uint32Array, string('')),
  start: column(Float64Array, number()),
  end: column(Float64Array, number()),
  /** one of the statuses of its kind */
  status: column(Uint8Array, oneOf(SPAN_STATUSES), { arg: 'status', read: (a, kind) => a.oneOf('status', STATUSES_BY_KIND[kind] as Record<SpanStatus, true>) }),
  job: column(Int32Array, number(-1), { arg: 'job', read: (a) => a.int('job') }),
  /** written only for a span of a task */
  taskId: column(Int32Array, number(-1), {
    arg: 'taskId',
    write: (v, args) => {
      if (v !== -1) args.taskId = v;
    },
    read: (a) => a.optInt('taskId') ?? -1,
  }),
  api: column(Uint32Array, string(undefined), optStr('api')),
  cbKind: column(Int8Array, oneOf(CALLBACK_KINDS, -1), { arg: 'kind', read: (a) => a.optOneOf('kind', CALLBACK_KINDS) }),
  /** written with how long the task queued, for viewers that show args */
  queued: column(Float64Array, optionalNumber(NaN), {
    arg: 'queuedAt',
    write: (v, args, ts) => {
      args.queuedAt = quantize(v);
      args.queueUs = Math.max(0, quantize(ts - quantize(v)));
    },
    read: (a) => a.optNum('queuedAt'),
  }),
  site: column(Uint32Array, site, optSite('site')),
  site2: column(Uint32Array, site, optSite('registeredAt')),
  text: column(Uint32Array, string(undefined), optStr('text')),
  args: column(Uint32Array, string(undefined), optStr('input')),
  cpu: column(Int32Array, optionalNumber(-1), optInt('cpuUs', 0)),
  cpuWait: column(Int32Array, optionalNumber(-1), optInt('cpuWaitUs', 0)),
} satisfies { [K in SpanField]: Column<ColumnArray, Span[K], unknown> };

export type SpanField = Exclude<keyof Span, 'index'>;
export type SpanColumn = keyof typeof SPAN_COLUMNS;
export const SPAN_COLUMN_NAMES = Object.keys(SPAN_COLUMNS) as SpanColumn[];
type ColumnOf<K extends SpanColumn> = (typeof SPAN_COLUMNS)[K];

/** Each column's typed array, as the store, the wire and the view hold it. */
export type SpanArrays = { [K in SpanColumn]: InstanceType<ColumnOf<K>['array']> };
export type SpanColumns = Record<SpanColumn, ArrayLike<number>>;

/** A span as it is added: each field as its column takes it (a site as its 'file:line:col' text). */
export type NewSpan = { [K in 'lane' | 'kind' | 'status' | 'name' | 'start']: Parameters<ColumnOf<K>['codec']['write']>[0] } & {
  [K in Exclude<SpanColumn, 'lane' | 'kind' | 'status' | 'name' | 'start'>]?: Parameters<ColumnOf<K>['codec']['write']>[0];
};

/** The columns a Chrome trace event carries in its args, in the order it writes them. */
export const CHROME_ARG_COLUMNS = SPAN_COLUMN_NAMES.filter((c) => SPAN_COLUMNS[c].chrome !== undefined);

/** Empty columns of `cap` rows. */
export function allocColumns(cap: number): SpanArrays {
  const out = {} as Record<SpanColumn, unknown>;
  for (const c of SPAN_COLUMN_NAMES) out[c] = new SPAN_COLUMNS[c].array(cap);
  return out as SpanArrays;
}

const READERS = SPAN_COLUMN_NAMES.map((c) => [c, SPAN_COLUMNS[c].codec.read as (v: number, strings: readonly string[]) => unknown] as const);
/** Every Span has all these keys: copying one object of them keeps spans of one shape, which V8 reads and writes fast. */
const SHAPE: Readonly<Record<string, unknown>> = Object.fromEntries([['index', 0], ...SPAN_COLUMN_NAMES.map((c) => [c, undefined])]);

/** Row i of `c` read back as a Span. */
export function spanAt(c: SpanColumns, strings: readonly string[], i: number): Span {
  const span = { ...SHAPE };
  span.index = i;
  for (const [name, read] of READERS) span[name] = read(c[name][i], strings);
  return span as unknown as Span;
}

/** A copy of `a` with room for at least `n` items (at least twice its length, so growth stays amortized). */
export function grownTo<T extends Int8Array | Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array>(a: T, n: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  next.set(a as ArrayLike<number>);
  return next;
}
