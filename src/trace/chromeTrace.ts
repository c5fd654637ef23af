// Export of a trace in the Chrome Trace Event Format (JSON Object Format), as Perfetto and
// chrome://tracing open it:
//   M  thread_name / thread_sort_index per lane (pid 1, tid = lane id), lanes sorted Main,
//      Callback, Workers;
//   X  one per span, cat = span kind (task | callback | wait | init), fields in args;
//   X  cat 'submit' (dur 0) on Main at each job's submit time, the slice flows start from;
//   s/t/f  cat 'flow', one chain per task: submit -> task -> the job's callbacks;
//   i  cat 'log' per printed line, cat 'mark' per lifecycle mark (its fields but lane, ts and
//      kind in args: pool, text, and a worker's pid, exit code, signal, task).
// Jobs, pools, lanes and the run's meta ride whole in metadata.poolscope (see
// chromeTraceFormat.ts). Submit slices and flows are derived from jobs and spans, so the
// importer skips them and the next export draws them again: export, import, export is lossless.
import type { Lane, Span } from './model';
import type { TraceStore } from './store';
import {
  FLOW_CAT,
  FLOW_NAME,
  FORMAT_VERSION,
  LOG_CAT,
  MARK_CAT,
  PID,
  SUBMIT_CAT,
  quantize as q,
  type ChromeTraceEvent,
  type ChromeTraceFile,
} from './chromeTraceFormat';

export { fromChromeTrace } from './chromeTraceImport';
export { TraceFormatError } from './chromeTraceCheck';
export type { ChromeTraceEvent, ChromeTraceFile, PoolscopeMetadata } from './chromeTraceFormat';

const LANE_ORDER = { main: 0, callback: 1, worker: 2 } as const;

export function toChromeTrace(store: TraceStore): ChromeTraceFile {
  const traceEvents: ChromeTraceEvent[] = [
    { ph: 'M', name: 'process_name', pid: PID, tid: 0, args: { name: `poolscope${store.meta.file ? ` ${store.meta.file}` : ''}` } },
    ...laneEvents(store.lanes),
  ];
  for (let i = 0; i < store.spanCount; i++) traceEvents.push(spanEvent(store.span(i)));
  for (const e of submitsAndFlows(store)) traceEvents.push(e);
  for (const l of store.logs) {
    traceEvents.push({ ph: 'i', s: 't', cat: LOG_CAT, name: logTitle(l.text), pid: PID, tid: l.lane, ts: q(l.ts), args: { text: l.text, stream: l.stream } });
  }
  for (const { lane, ts, kind, ...args } of store.marks) {
    traceEvents.push({ ph: 'i', s: 't', cat: MARK_CAT, name: kind, pid: PID, tid: lane, ts: q(ts), args });
  }
  // A JSON copy: the file must hold plain data only, never `undefined` fields or live store objects.
  const poolscope = JSON.parse(
    JSON.stringify({
      version: FORMAT_VERSION,
      meta: store.meta,
      lanes: store.lanes,
      pools: [...store.pools.values()],
      jobs: [...store.jobs.values()],
      end: store.end,
    }),
  );
  return { traceEvents, displayTimeUnit: 'ms', metadata: { poolscope } };
}

function laneEvents(lanes: readonly Lane[]): ChromeTraceEvent[] {
  const sorted = [...lanes].sort((a, b) => LANE_ORDER[a.kind] - LANE_ORDER[b.kind] || a.id - b.id);
  return sorted.flatMap((l, rank): ChromeTraceEvent[] => [
    { ph: 'M', name: 'thread_name', pid: PID, tid: l.id, args: { name: l.name } },
    { ph: 'M', name: 'thread_sort_index', pid: PID, tid: l.id, args: { sort_index: rank } },
  ]);
}

/** Span fields in args; each key is written only when the span has it, so absent stays absent. */
function spanEvent(s: Span): ChromeTraceEvent {
  const ts = q(s.start);
  const args: Record<string, unknown> = { status: s.status, job: s.job };
  if (s.taskId !== -1) args.taskId = s.taskId;
  if (s.api !== undefined) args.api = s.api;
  if (s.cbKind !== undefined) args.kind = s.cbKind;
  if (s.queued !== undefined) {
    args.queuedAt = q(s.queued);
    args.queueUs = Math.max(0, q(ts - q(s.queued)));
  }
  if (s.site) args.site = { ...s.site };
  if (s.site2) args.registeredAt = { ...s.site2 };
  if (s.text !== undefined) args.text = s.text;
  if (s.args !== undefined) args.input = s.args;
  if (s.cpu !== undefined) args.cpuUs = s.cpu;
  return { ph: 'X', cat: s.kind, name: s.name, pid: PID, tid: s.lane, ts, dur: Math.max(0, q(q(s.end) - ts)), args };
}

function submitsAndFlows(store: TraceStore): ChromeTraceEvent[] {
  const byJob = new Map<number, { tasks: number[]; callbacks: number[] }>();
  for (let i = 0; i < store.spanCount; i++) {
    const kind = store.kind(i);
    if (kind !== 'task' && kind !== 'callback') continue;
    const job = store.jobCol[i];
    let e = byJob.get(job);
    if (!e) byJob.set(job, (e = { tasks: [], callbacks: [] }));
    (kind === 'task' ? e.tasks : e.callbacks).push(i);
  }
  const mainLane = store.lanes.find((l) => l.kind === 'main')?.id ?? 0;
  // Flow points sit mid-span: viewers bind a flow event to the slice that encloses it.
  const mid = (i: number) => {
    const ts = q(store.startCol[i]);
    return q(ts + Math.max(0, q(q(store.endCol[i]) - ts)) / 2);
  };
  const out: ChromeTraceEvent[] = [];
  let flowId = 0;
  for (const job of store.jobs.values()) {
    const ts = q(job.submitted);
    const args: Record<string, unknown> = { job: job.id };
    if (job.site) args.site = { ...job.site };
    out.push({ ph: 'X', cat: SUBMIT_CAT, name: job.api, pid: PID, tid: mainLane, ts, dur: 0, args });
    const spans = byJob.get(job.id);
    if (!spans) continue;
    const callbacks = [...spans.callbacks].sort((a, b) => store.startCol[a] - store.startCol[b]);
    for (const task of spans.tasks) {
      const id = ++flowId;
      const chain = [task, ...callbacks];
      out.push({ ph: 's', cat: FLOW_CAT, name: FLOW_NAME, id, pid: PID, tid: mainLane, ts });
      chain.forEach((i, k) => {
        const last = k === chain.length - 1;
        out.push({ ph: last ? 'f' : 't', cat: FLOW_CAT, name: FLOW_NAME, id, pid: PID, tid: store.laneCol[i], ts: mid(i), ...(last ? { bp: 'e' as const } : {}) });
      });
    }
  }
  return out;
}

function logTitle(text: string): string {
  const line = text.split('\n', 1)[0];
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}
