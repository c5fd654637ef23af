// The shape of poolscope's Chrome Trace Event Format files (the JSON Object Format that
// Perfetto and chrome://tracing open), shared by the exporter and the importer.
import type { Job, Lane, PoolInfo, SpanKind, SpanStatus, TraceMeta } from './model';

export type ChromePhase = 'X' | 'B' | 'E' | 'i' | 'I' | 'M' | 's' | 't' | 'f';

export interface ChromeTraceEvent {
  ph: ChromePhase;
  name: string;
  cat?: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  /** instant scope: thread */
  s?: 't';
  /** flow id (s/t/f) */
  id?: number;
  /** flow end binds to the enclosing slice */
  bp?: 'e';
  args?: Record<string, unknown>;
}

/**
 * Everything of a trace that is not a span, a printed line or a mark. It rides whole in
 * `metadata.poolscope` (rather than scattered over `M` event args) so one object says what
 * the run was, viewers that do not know it ignore it, and the importer can tell a poolscope
 * trace from a foreign one by its presence.
 */
export interface PoolscopeMetadata {
  version: 1;
  meta: TraceMeta;
  lanes: Lane[];
  pools: PoolInfo[];
  jobs: Job[];
  /** the trace end, µs from the origin */
  end: number;
}

export interface ChromeTraceFile {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  metadata: { poolscope?: PoolscopeMetadata; [key: string]: unknown };
}

export const PID = 1;
export const FORMAT_VERSION = 1;

/** Categories of X events that are not spans: the submit points flows start from, derived from jobs. */
export const SUBMIT_CAT = 'submit';
export const FLOW_CAT = 'flow';
export const FLOW_NAME = 'job';
export const LOG_CAT = 'log';
export const MARK_CAT = 'mark';

/**
 * Event times are written in whole nanoseconds, the resolution Perfetto keeps anyway: the
 * file is shorter than with full float digits, and every written time reads back as itself.
 */
export function quantize(us: number): number {
  return Math.round(us * 1000) / 1000;
}

/** The statuses each span kind can have (see model.ts). */
export const STATUSES_BY_KIND: Record<SpanKind, Partial<Record<SpanStatus, true>>> = {
  task: { ok: true, error: true, cancelled: true, lost: true, running: true },
  callback: { ok: true, threw: true, running: true },
  wait: { ok: true, timeout: true, error: true, running: true },
  init: { ok: true, error: true, running: true },
  run: { ok: true, running: true },
};
