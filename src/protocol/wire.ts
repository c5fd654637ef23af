// The compact transfer format of a trace: span fields travel as base64-encoded typed-array
// columns (a million spans is tens of megabytes, not a million JSON objects), strings travel
// once as a table that both sides index by the same ids the TraceStore interned them under.
import type { Job, Lane, LogLine, Mark, PoolInfo, Site, TraceMeta } from '../trace/model';

export { parseSite, formatSite, SPAN_KINDS, SPAN_STATUSES } from '../trace/model';
export type { Job, Lane, LogLine, Mark, PoolInfo, Site, TraceMeta };

/** A column's bytes: base64 text in messages, raw bytes once the standalone page has unpacked them. */
export type ColumnData = string | Uint8Array;

/** Span columns, in the TraceStore's own encodings (kind/status/cbKind as indices). */
export interface WireSpans {
  /** how many rows */
  n: number;
  /** Int32 row indices in the store; absent when the rows are `base .. base+n-1` */
  idx?: string;
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
}

export type Severity = 'error' | 'warning' | 'info';
/** The analysis' Finding as it crosses the wire (rule ids stay open: the view shows them as text). */
export interface WireFinding {
  rule: string;
  severity: Severity;
  message: string;
  site?: Site;
  related: { message: string; site?: Site }[];
  spans: number[];
}

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
  jobs: Job[];
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
} as const;
export type SpanColumn = keyof typeof SPAN_COLUMNS;
export const SPAN_COLUMN_NAMES = Object.keys(SPAN_COLUMNS) as SpanColumn[];

type TypedArray = Uint8Array | Int8Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

export function bytesToBase64(a: TypedArray): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const g = globalThis as { Buffer?: { from(b: Uint8Array): { toString(enc: string): string } } };
  if (g.Buffer) return g.Buffer.from(bytes).toString('base64');
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function base64ToBytes(s: string): Uint8Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (fromBase64) return fromBase64(s);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Decodes one column into a typed array of its type: from base64 text (as messages carry it)
 * or from raw bytes (as the standalone page unpacks them); either way into a fresh, aligned buffer.
 */
export function decodeColumn<C extends SpanColumn>(name: C, data: string | Uint8Array): InstanceType<(typeof SPAN_COLUMNS)[C]> {
  const ctor = SPAN_COLUMNS[name];
  const bytes = typeof data === 'string' ? base64ToBytes(data) : data.slice();
  return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / ctor.BYTES_PER_ELEMENT) as InstanceType<(typeof SPAN_COLUMNS)[C]>;
}
