// Best-effort import of a trace poolscope did not write (a Chrome or Perfetto JSON trace), one
// event at a time so a file of any size is read in bounded memory: every thread becomes a lane
// named by its thread_name (Main and Callback keep their kinds), X and B/E events become spans
// (except poolscope's own submit anchors), `log` instants become printed lines, and times shift
// so the first event is at 0. Fields poolscope knows (args.status, args.job...) are used when
// well-formed and ignored otherwise; only the event structure itself is enforced. The run's
// outcome is unknown, so meta.outcome is 'stopped'.
import { SPAN_KINDS, formatSite, type LaneKind, type SpanKind, type SpanStatus } from './model';
import { TraceStore, type NewSpan } from './store';
import { Fields, isObj } from './chromeTraceCheck';
import { LOG_CAT, STATUSES_BY_KIND, SUBMIT_CAT, quantize } from './chromeTraceFormat';

interface Thread {
  pid: unknown;
  tid: unknown;
  name?: string;
  sortIndex?: number;
  /** order of first appearance: the lane id spans carry until finish() numbers the lanes */
  order: number;
  used: boolean;
  /** spans begun (B) and not yet ended */
  open: number[];
}

export class ForeignImporter {
  private readonly store = new TraceStore({ file: '', outcome: 'stopped' });
  private readonly threads = new Map<string, Thread>();
  private readonly byOrder: Thread[] = [];
  private origin = Infinity;
  private end = -Infinity;

  private thread(ev: Fields): Thread {
    const key = `${String(ev.o.pid ?? 0)}/${String(ev.o.tid ?? 0)}`;
    let t = this.threads.get(key);
    if (!t) {
      t = { pid: ev.o.pid ?? 0, tid: ev.o.tid ?? 0, order: this.byOrder.length, used: false, open: [] };
      this.threads.set(key, t);
      this.byOrder.push(t);
    }
    return t;
  }

  add(ev: Fields): void {
    const ph = ev.str('ph');
    if (ph === 'M') {
      const t = this.thread(ev);
      const args = isObj(ev.o.args) ? ev.o.args : {};
      if (ev.o.name === 'thread_name' && typeof args.name === 'string') t.name = args.name;
      if (ev.o.name === 'thread_sort_index' && typeof args.sort_index === 'number') t.sortIndex = args.sort_index;
      return;
    }
    // Submit slices are poolscope's own flow anchors, drawn again from jobs on export.
    if (!['X', 'B', 'E', 'i', 'I'].includes(ph) || ev.o.cat === SUBMIT_CAT) return;
    const ts = ev.num('ts');
    const thread = this.thread(ev);
    if (ts < this.origin) this.origin = ts;
    if (ts > this.end) this.end = ts;
    if (ph === 'X') {
      const dur = ev.num('dur', 0);
      if (ts + dur > this.end) this.end = ts + dur;
      thread.used = true;
      this.store.addSpan({ ...spanFields(ev, ts), lane: thread.order, end: ts + dur });
    } else if (ph === 'B') {
      thread.used = true;
      thread.open.push(this.store.addSpan({ ...spanFields(ev, ts), lane: thread.order }));
    } else if (ph === 'E') {
      const i = thread.open.pop();
      if (i !== undefined) this.store.col.end[i] = ts;
    } else if (ev.o.cat === LOG_CAT) {
      const args = isObj(ev.o.args) ? ev.o.args : {};
      const text = typeof args.text === 'string' ? args.text : String(ev.o.name ?? '');
      thread.used = true;
      this.store.addLog({ lane: thread.order, ts, text, stream: args.stream === 'stderr' ? 'stderr' : 'stdout' });
    }
  }

  finish(): TraceStore {
    const store = this.store;
    if (!Number.isFinite(this.origin)) this.origin = this.end = 0;
    // A B without its E never ended while the trace was recorded.
    for (const t of this.byOrder) for (const i of t.open) store.endSpan(i, this.end, 'running');
    const pids = new Set(this.byOrder.map((t) => String(t.pid)));
    const ordered = this.byOrder.filter((t) => t.name !== undefined || t.used).sort((a, b) => (a.sortIndex ?? Infinity) - (b.sortIndex ?? Infinity) || a.order - b.order);
    const laneOf = new Int32Array(this.byOrder.length);
    ordered.forEach((t, id) => {
      laneOf[t.order] = id;
      const name = t.name ?? (pids.size > 1 ? `Thread ${String(t.pid)}/${String(t.tid)}` : `Thread ${String(t.tid)}`);
      const kind: LaneKind = name === 'Main' ? 'main' : name === 'Callback' ? 'callback' : 'worker';
      store.addLane({ id, name, kind, pool: -1 });
    });
    const at = (ts: number) => quantize(ts - this.origin);
    for (let i = 0; i < store.spanCount; i++) {
      store.col.lane[i] = laneOf[store.col.lane[i]];
      store.col.start[i] = at(store.col.start[i]);
      store.col.end[i] = at(store.col.end[i]);
    }
    for (const l of store.logs) {
      l.lane = laneOf[l.lane];
      l.ts = at(l.ts);
    }
    store.end = at(this.end);
    return store;
  }
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
