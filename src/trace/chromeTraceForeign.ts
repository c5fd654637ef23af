// Best-effort import of a trace poolscope did not write (a Chrome or Perfetto JSON trace):
// every thread becomes a lane named by its thread_name (Main and Callback keep their kinds),
// X and B/E events become spans (except poolscope's own submit anchors), `log` instants
// become printed lines, and times shift so the first event is at 0. Fields poolscope knows
// (args.status, args.job...) are used when well-formed and ignored otherwise; only the event
// structure itself is enforced. The run's outcome is unknown, so meta.outcome is 'stopped'.
import { SPAN_KINDS, formatSite, type LaneKind, type SpanKind, type SpanStatus } from './model';
import { TraceStore, type NewSpan } from './store';
import { Fields, isObj } from './chromeTraceCheck';
import { LOG_CAT, STATUSES_BY_KIND, SUBMIT_CAT, quantize } from './chromeTraceFormat';

interface Thread {
  key: string;
  pid: unknown;
  tid: unknown;
  name?: string;
  sortIndex?: number;
  order: number;
}

type Pending = Omit<NewSpan, 'lane'> & { thread: Thread };

export function importForeignTrace(raw: unknown[], path: string): TraceStore {
  const events = raw.map((v, i) => Fields.of(v, `${path || 'events'}[${i}]`));
  const threads = new Map<string, Thread>();
  const threadOf = (ev: Fields): Thread => {
    const key = `${String(ev.o.pid ?? 0)}/${String(ev.o.tid ?? 0)}`;
    let t = threads.get(key);
    if (!t) threads.set(key, (t = { key, pid: ev.o.pid ?? 0, tid: ev.o.tid ?? 0, order: threads.size }));
    return t;
  };

  const spans: Pending[] = [];
  const logs: { thread: Thread; ts: number; text: string; stream: 'stdout' | 'stderr' }[] = [];
  const open = new Map<Thread, Pending[]>();
  let origin = Infinity;
  let end = -Infinity;
  for (const ev of events) {
    const ph = ev.str('ph');
    if (ph === 'M') {
      const t = threadOf(ev);
      const args = isObj(ev.o.args) ? ev.o.args : {};
      if (ev.o.name === 'thread_name' && typeof args.name === 'string') t.name = args.name;
      if (ev.o.name === 'thread_sort_index' && typeof args.sort_index === 'number') t.sortIndex = args.sort_index;
      continue;
    }
    // Submit slices are poolscope's own flow anchors, drawn again from jobs on export.
    if (!['X', 'B', 'E', 'i', 'I'].includes(ph) || ev.o.cat === SUBMIT_CAT) continue;
    const ts = ev.num('ts');
    const thread = threadOf(ev);
    origin = Math.min(origin, ts);
    end = Math.max(end, ts);
    if (ph === 'X') {
      const dur = ev.num('dur', 0);
      end = Math.max(end, ts + dur);
      spans.push({ ...spanFields(ev, ts), end: ts + dur, thread });
    } else if (ph === 'B') {
      const s: Pending = { ...spanFields(ev, ts), thread };
      spans.push(s);
      open.set(thread, [...(open.get(thread) ?? []), s]);
    } else if (ph === 'E') {
      const s = open.get(thread)?.pop();
      if (s) s.end = ts;
    } else if (ev.o.cat === LOG_CAT) {
      const args = isObj(ev.o.args) ? ev.o.args : {};
      const text = typeof args.text === 'string' ? args.text : String(ev.o.name ?? '');
      logs.push({ thread, ts, text, stream: args.stream === 'stderr' ? 'stderr' : 'stdout' });
    }
  }
  if (!Number.isFinite(origin)) origin = end = 0;

  const store = new TraceStore({ file: '', outcome: 'stopped' });
  const pids = new Set([...threads.values()].map((t) => String(t.pid)));
  const ordered = [...threads.values()]
    .filter((t) => t.name !== undefined || spans.some((s) => s.thread === t) || logs.some((l) => l.thread === t))
    .sort((a, b) => (a.sortIndex ?? Infinity) - (b.sortIndex ?? Infinity) || a.order - b.order);
  const laneIds = new Map<Thread, number>();
  ordered.forEach((t, id) => {
    laneIds.set(t, id);
    const name = t.name ?? (pids.size > 1 ? `Thread ${String(t.pid)}/${String(t.tid)}` : `Thread ${String(t.tid)}`);
    const kind: LaneKind = name === 'Main' ? 'main' : name === 'Callback' ? 'callback' : 'worker';
    store.addLane({ id, name, kind, pool: -1 });
  });
  const at = (ts: number) => quantize(ts - origin);
  for (const { thread, ...s } of spans) {
    // A B without its E never ended while the trace was recorded.
    const status = s.end === undefined ? 'running' : s.status;
    store.addSpan({ ...s, status, lane: laneIds.get(thread)!, start: at(s.start), end: at(s.end ?? end) });
  }
  for (const l of logs) store.addLog({ lane: laneIds.get(l.thread)!, ts: at(l.ts), text: l.text, stream: l.stream });
  store.end = at(end);
  return store;
}

function spanFields(ev: Fields, ts: number): Omit<NewSpan, 'lane'> {
  const args = isObj(ev.o.args) ? ev.o.args : {};
  const kind: SpanKind = SPAN_KINDS.includes(ev.o.cat as SpanKind) ? (ev.o.cat as SpanKind) : 'task';
  const status = typeof args.status === 'string' && Object.hasOwn(STATUSES_BY_KIND[kind], args.status) ? (args.status as SpanStatus) : 'ok';
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    kind,
    status,
    name: typeof ev.o.name === 'string' ? ev.o.name : '',
    start: ts,
    taskId: int(args.taskId),
    job: int(args.job),
    api: str(args.api),
    text: str(args.text),
    site: siteText(args.site),
    site2: siteText(args.registeredAt),
  };
}

function siteText(v: unknown): string | undefined {
  if (!isObj(v) || typeof v.file !== 'string' || !Number.isInteger(v.line) || !Number.isInteger(v.col)) return undefined;
  return formatSite({ file: v.file, line: v.line as number, col: v.col as number });
}
