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
// chromeTraceFormat.ts), which the file holds before its events. Submit slices and flows are
// derived from jobs and spans, so the importer skips them and the next export draws them again: export, import, export is lossless.
import type { Lane, Span } from './model';
import type { TraceStore } from './store';
import { CHROME_ARG_COLUMNS, SPAN_COLUMNS } from './spanColumns';
import { FLOW_CAT, FLOW_NAME, FORMAT_VERSION, LOG_CAT, MARK_CAT, PID, SUBMIT_CAT, quantize as q, type ChromeTraceEvent } from './chromeTraceFormat';

export { readChromeTrace } from './chromeTraceImport';
export { TraceFormatError } from './chromeTraceCheck';
export type { ChromeTraceEvent, ChromeTraceFile, PoolscopeMetadata } from './chromeTraceFormat';

const LANE_ORDER = { main: 0, callback: 1, worker: 2 } as const;

/** Lanes as viewers should list them: Main, Callback, then the workers. */
export function lanesInOrder(lanes: readonly Lane[]): Lane[] {
  return [...lanes].sort((a, b) => LANE_ORDER[a.kind] - LANE_ORDER[b.kind] || a.id - b.id);
}

/**
 * The trace as the text of a Chrome Trace Event Format file, piece by piece, so a run of any size
 * is written in bounded memory (see writeChunks). metadata.poolscope comes first, so an importer
 * reading the file as a stream knows it is poolscope's before the first event.
 */
export function* chromeTraceText(store: TraceStore): Generator<string> {
  // A JSON copy: the file must hold plain data only, never `undefined` fields or live store objects.
  const head = { version: FORMAT_VERSION, meta: store.meta, lanes: store.lanes, pools: [...store.pools.values()], end: store.end };
  const json = JSON.stringify(head);
  yield `{"displayTimeUnit":"ms","metadata":{"poolscope":${json.slice(0, -1)},"jobs":[`;
  yield* joined(jobTexts(store));
  yield ']}},"traceEvents":[';
  yield* joined(eventTexts(store));
  yield ']}\n';
}

function* jobTexts(store: TraceStore): Generator<string> {
  for (const job of store.jobs.values()) yield JSON.stringify(job);
}

function* eventTexts(store: TraceStore): Generator<string> {
  yield JSON.stringify({ ph: 'M', name: 'process_name', pid: PID, tid: 0, args: { name: `poolscope${store.meta.file ? ` ${store.meta.file}` : ''}` } } satisfies ChromeTraceEvent);
  for (const e of laneEvents(store.lanes)) yield JSON.stringify(e);
  for (let i = 0; i < store.spanCount; i++) yield JSON.stringify(spanEvent(store.span(i)));
  for (const e of submitsAndFlows(store)) yield JSON.stringify(e);
  for (const l of store.logs) {
    yield JSON.stringify({
      ph: 'i',
      s: 't',
      cat: LOG_CAT,
      name: logTitle(l.text),
      pid: PID,
      tid: l.lane,
      ts: q(l.ts),
      args: { text: l.text, stream: l.stream },
    } satisfies ChromeTraceEvent);
  }
  for (const { lane, ts, kind, ...args } of store.marks) {
    yield JSON.stringify({ ph: 'i', s: 't', cat: MARK_CAT, name: kind, pid: PID, tid: lane, ts: q(ts), args } satisfies ChromeTraceEvent);
  }
}

/** Items as the inside of a JSON array, one per line, in pieces of about 64 KB. */
function* joined(items: Iterable<string>): Generator<string> {
  let piece = '';
  let first = true;
  for (const item of items) {
    piece += first ? `\n${item}` : `,\n${item}`;
    first = false;
    if (piece.length >= 65536) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

function laneEvents(lanes: readonly Lane[]): ChromeTraceEvent[] {
  return lanesInOrder(lanes).flatMap((l, rank): ChromeTraceEvent[] => [
    { ph: 'M', name: 'thread_name', pid: PID, tid: l.id, args: { name: l.name } },
    { ph: 'M', name: 'thread_sort_index', pid: PID, tid: l.id, args: { sort_index: rank } },
  ]);
}

/** Span fields in args (see SPAN_COLUMNS); each key is written only when the span has it, so absent stays absent. */
function spanEvent(s: Span): ChromeTraceEvent {
  const ts = q(s.start);
  const args: Record<string, unknown> = {};
  for (const c of CHROME_ARG_COLUMNS) {
    const v = s[c];
    if (v === undefined) continue;
    const { arg, write } = SPAN_COLUMNS[c].chrome as { arg: string; write?: (v: unknown, args: Record<string, unknown>, ts: number) => void };
    if (write) write(v, args, ts);
    else args[arg] = v;
  }
  return { ph: 'X', cat: s.kind, name: s.name, pid: PID, tid: s.lane, ts, dur: Math.max(0, q(q(s.end) - ts)), args };
}

/** Span indexes of one kind grouped by job id, in span order: offsets[job]..offsets[job+1] in items. */
export function groupByJob(store: TraceStore, kind: 'task' | 'callback', maxJob: number): { offsets: Int32Array; items: Int32Array } {
  const offsets = new Int32Array(maxJob + 2);
  const jobs = store.col.job;
  const of = (i: number) => (store.kind(i) === kind && jobs[i] >= 0 && jobs[i] <= maxJob ? jobs[i] : -1);
  for (let i = 0; i < store.spanCount; i++) {
    const j = of(i);
    if (j >= 0) offsets[j + 1]++;
  }
  for (let j = 0; j <= maxJob; j++) offsets[j + 1] += offsets[j];
  const items = new Int32Array(offsets[maxJob + 1]);
  const fill = offsets.slice(0, maxJob + 1);
  for (let i = 0; i < store.spanCount; i++) {
    const j = of(i);
    if (j >= 0) items[fill[j]++] = i;
  }
  return { offsets, items };
}

function* submitsAndFlows(store: TraceStore): Generator<ChromeTraceEvent> {
  let maxJob = 0;
  for (const id of store.jobs.keys()) if (id > maxJob) maxJob = id;
  const tasks = groupByJob(store, 'task', maxJob);
  const callbacks = groupByJob(store, 'callback', maxJob);
  const mainLane = store.lanes.find((l) => l.kind === 'main')?.id ?? 0;
  // Flow points sit mid-span: viewers bind a flow event to the slice that encloses it.
  const mid = (i: number) => {
    const ts = q(store.col.start[i]);
    return q(ts + Math.max(0, q(q(store.col.end[i]) - ts)) / 2);
  };
  let flowId = 0;
  for (const job of store.jobs.values()) {
    const ts = q(job.submitted);
    const args: Record<string, unknown> = { job: job.id };
    if (job.site) args.site = { ...job.site };
    yield { ph: 'X', cat: SUBMIT_CAT, name: job.api, pid: PID, tid: mainLane, ts, dur: 0, args };
    if (job.id < 0 || job.id > maxJob) continue;
    const cbs = Array.from(callbacks.items.subarray(callbacks.offsets[job.id], callbacks.offsets[job.id + 1])).sort((a, b) => store.col.start[a] - store.col.start[b]);
    for (let k = tasks.offsets[job.id]; k < tasks.offsets[job.id + 1]; k++) {
      const id = ++flowId;
      const chain = [tasks.items[k], ...cbs];
      yield { ph: 's', cat: FLOW_CAT, name: FLOW_NAME, id, pid: PID, tid: mainLane, ts };
      for (let c = 0; c < chain.length; c++) {
        const i = chain[c];
        const last = c === chain.length - 1;
        yield { ph: last ? 'f' : 't', cat: FLOW_CAT, name: FLOW_NAME, id, pid: PID, tid: store.col.lane[i], ts: mid(i), ...(last ? { bp: 'e' as const } : {}) };
      }
    }
  }
}

export function logTitle(text: string): string {
  const line = text.split('\n', 1)[0];
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}
