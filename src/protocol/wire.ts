// The compact transfer format of a trace: span fields travel as typed-array columns (a million
// spans is tens of megabytes, not a million JSON objects; the editor posts them as ArrayBuffers,
// the standalone page embeds them gzipped as base64), jobs as the few columns the view reads,
// strings once as a table that both sides index by the same ids the TraceStore interned them under.
import type { Job, Lane, LogLine, Mark, PoolInfo, Site, TraceMeta } from '../trace/model';
import type { Finding } from '../analysis/types';

export { parseSite, formatSite, SPAN_KINDS, SPAN_STATUSES } from '../trace/model';
export { formatDurationPrecise } from '../trace/durations';
export { IntervalUnion } from '../trace/intervals';
export type { Job, Lane, LogLine, Mark, PoolInfo, Site, TraceMeta };

/** A column: a typed array of its column's type (see SPAN_COLUMNS), or its raw bytes. */
export type ColumnData = ArrayBufferView;

/** Span columns, in the TraceStore's own encodings (kind/status/cbKind as indices). */
export interface WireSpans {
  /** how many rows */
  n: number;
  /** Int32 row indices in the store; absent when the rows are `base .. base+n-1` */
  idx?: Int32Array;
  base: number;
  lane: ColumnData; // Uint16
  kind: ColumnData; // Uint8
  status: ColumnData; // Uint8
  start: ColumnData; // Float64
  end: ColumnData; // Float64
  queued: ColumnData; // Float64 (NaN = none)
  taskId: ColumnData; // Int32
  job: ColumnData; // Int32
  name: ColumnData; // Uint32 string ids
  api: ColumnData;
  site: ColumnData;
  site2: ColumnData;
  text: ColumnData;
  args: ColumnData;
  cbKind: ColumnData; // Int8
  cpu: ColumnData; // Int32 (-1 = unknown)
  cpuWait: ColumnData; // Int32 (-1 = unknown)
}

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
 * One update of the view's copy of the trace. `reset` replaces everything (a snapshot);
 * otherwise strings, logs and marks append from their `base`, spans overwrite or append
 * the rows they name, and lanes, pools, jobs and meta replace what the view holds by id.
 */
export interface TracePatch {
  reset: boolean;
  strings: { base: number; items: string[] };
  spans: WireSpans;
  lanes: Lane[];
  logs: { base: number; items: LogLine[] };
  marks: { base: number; items: Mark[] };
  jobs: WireJobs;
  pools: PoolInfo[];
  meta: TraceMeta;
  end: number;
}

export const SPAN_COLUMNS = {
  lane: Uint16Array,
  kind: Uint8Array,
  status: Uint8Array,
  start: Float64Array,
  end: Float64Array,
  queued: Float64Array,
  taskId: Int32Array,
  job: Int32Array,
  name: Uint32Array,
  api: Uint32Array,
  site: Uint32Array,
  site2: Uint32Array,
  text: Uint32Array,
  args: Uint32Array,
  cbKind: Int8Array,
  cpu: Int32Array,
  cpuWait: Int32Array,
} as const;
export type SpanColumn = keyof typeof SPAN_COLUMNS;
export const SPAN_COLUMN_NAMES = Object.keys(SPAN_COLUMNS) as SpanColumn[];

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
