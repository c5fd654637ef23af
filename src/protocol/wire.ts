// The compact transfer format of a trace: span fields travel as typed-array columns (a million
// spans is tens of megabytes, not a million JSON objects; the editor posts them as ArrayBuffers,
// the standalone page embeds them gzipped as base64), jobs as the few columns the view reads,
// strings once as a table that both sides index by the same ids the TraceStore interned them under.
import type { Job, Lane, LogLine, Mark, PoolInfo, Site, TraceMeta } from '../trace/model';
import type { Finding } from '../analysis/types';
import { SPAN_COLUMNS as COLUMN_DEFS, SPAN_COLUMN_NAMES, type SpanColumn } from '../trace/spanColumns';

export { parseSite, formatSite, SPAN_KINDS, SPAN_STATUSES } from '../trace/model';
export { formatDurationPrecise } from '../trace/durations';
export { SPAN_COLUMN_NAMES, type SpanColumn };
export { IntervalUnion } from '../trace/intervals';
export type { Job, Lane, LogLine, Mark, PoolInfo, Site, TraceMeta };

/** A column: a typed array of its column's type (see SPAN_COLUMNS), or its raw bytes. */
export type ColumnData = ArrayBufferView;

/** Span columns, in the TraceStore's own encodings (trace/spanColumns.ts), by field. */
export type WireSpans = {
  /** how many rows */
  n: number;
  /** Int32 row indices in the store; absent when the rows are `base .. base+n-1` */
  idx?: Int32Array;
  base: number;
} & Record<SpanColumn, ColumnData>;

/**
 * Jobs as the view reads them (what its causal chain shows), by columns: ids, the api that
 * issued each (an index into `apis`), when it was submitted and when it became ready (NaN: not yet).
 */
export interface WireJobs {
  n: number;
  apis: string[];
  id: Int32Array;
  api: Uint16Array;
  submitted: Float64Array;
  readyAt: Float64Array;
}
export const JOB_COLUMNS = { id: Int32Array, api: Uint16Array, submitted: Float64Array, readyAt: Float64Array } as const;
export type JobColumn = keyof typeof JOB_COLUMNS;
export const JOB_COLUMN_NAMES = Object.keys(JOB_COLUMNS) as JobColumn[];

/** One job as the view reads it. */
export interface ViewJob {
  id: number;
  api: string;
  submitted: number;
  readyAt?: number;
}

/** The analysis' Finding as it crosses the wire (rule ids stay open: the view shows them as text). */
export type WireFinding = Omit<Finding, 'rule'> & { rule: string };

/**
 * The tasks the store counted but did not keep (trace/notKept.ts): how many, from which task on
 * and why, and per lane how many of them ended there and how long they ran (µs), so the view's
 * lane figures still cover the whole run.
 */
export interface WireNotKept {
  tasks: number;
  failed: number;
  /** the first task not kept and when it was issued (µs); -1: none */
  firstTask: number;
  firstTs: number;
  /** the span budget left them out, all from firstTask on (else a window of the run: before and after it) */
  byBudget: boolean;
  reason: string;
  lanes: { lane: number; spans: number; busy: number }[];
  /** the store is one window of the run, loaded from its journal (µs from the origin); runTasks: the tasks the whole run issued */
  window?: { from: number; to: number; complete: boolean; runTasks: number };
}

/**
 * One update of the view's copy of the trace. `reset` replaces everything (a snapshot);
 * otherwise strings, logs and marks append from their `base`, spans overwrite or append
 * the rows they name, and lanes, pools, jobs and meta replace what the view holds by id.
 */
export interface TracePatch {
  reset: boolean;
  /** rows not sent yet follow in the next patches (a big trace goes in pieces): the view may wait for them before it rebuilds */
  more?: boolean;
  strings: { base: number; items: string[] };
  spans: WireSpans;
  lanes: Lane[];
  logs: { base: number; items: LogLine[] };
  marks: { base: number; items: Mark[] };
  jobs: WireJobs;
  pools: PoolInfo[];
  meta: TraceMeta;
  end: number;
  /** absent: every task is kept */
  notKept?: WireNotKept;
}

/** Each span column's typed array type, from the one definition of the columns. */
export const SPAN_COLUMNS = Object.fromEntries(SPAN_COLUMN_NAMES.map((c) => [c, COLUMN_DEFS[c].array])) as { [C in SpanColumn]: (typeof COLUMN_DEFS)[C]['array'] };

export function base64ToBytes(s: string): Uint8Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (fromBase64) return fromBase64(s);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A column as a typed array of its type, whether it came as one or as raw bytes (aligned copies as needed). */
export function asColumn<T extends { BYTES_PER_ELEMENT: number; new (b: ArrayBuffer, o: number, n: number): InstanceType<T> }>(ctor: T, data: ArrayBufferView): InstanceType<T> {
  if (data instanceof (ctor as unknown as new () => unknown)) return data as unknown as InstanceType<T>;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return new ctor(bytes.buffer, 0, bytes.byteLength / ctor.BYTES_PER_ELEMENT);
}

export function decodeColumn<C extends SpanColumn>(name: C, data: ArrayBufferView): InstanceType<(typeof SPAN_COLUMNS)[C]> {
  return asColumn(SPAN_COLUMNS[name] as never, data) as InstanceType<(typeof SPAN_COLUMNS)[C]>;
}
