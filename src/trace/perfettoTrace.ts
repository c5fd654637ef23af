// Export in Perfetto's own format: a Trace proto, i.e. a stream of TracePacket messages, which
// Perfetto's UI and trace processor read natively and which is several times smaller than the
// JSON. Field numbers are those of Perfetto's published protos (protos/perfetto/trace/...).
//
//   - one process track, and one thread track per lane (tid = lane id + 1, since tid 0 means
//     the idle task), ordered Main, Callback, workers; spans that overlap without nesting
//     (Main's awaits) go to child tracks of their lane, since slices on one track must nest;
//   - a slice (SLICE_BEGIN / SLICE_END) per span, its kind as category, its fields as debug
//     annotations; names and repeated strings interned once per file;
//   - an instant on Main per job's submit, per printed line and per mark on its lane;
//   - a flow per task: submit -> task -> the job's callbacks, as the Chrome JSON export draws it.
// Packets come in time order, made as they are written, so a run of any size is written in
// bounded memory.
import { lanesInOrder, groupByJob, logTitle } from './chromeTrace';
import { SPAN_KINDS, SPAN_STATUSES, formatSite, type Job, type Lane, type LogLine, type Mark } from './model';
import { ProtoWriter } from './protoWriter';
import { CALLBACK_KINDS } from './model';
import type { TraceStore } from './store';

// Field numbers (protos/perfetto/trace/trace.proto, trace_packet.proto, track_event/*.proto,
// interned_data/interned_data.proto).
const TRACE_PACKET = 1;
const P = { timestamp: 8, sequenceId: 10, trackEvent: 11, internedData: 12, sequenceFlags: 13, trackDescriptor: 60 } as const;
const TD = { uuid: 1, name: 2, process: 3, thread: 4, parentUuid: 5, childOrdering: 11, siblingRank: 12 } as const;
const PD = { pid: 1, processName: 6 } as const;
const THD = { pid: 1, tid: 2, threadName: 5 } as const;
const TE = { debugAnnotations: 4, type: 9, nameIid: 10, trackUuid: 11, categoryIids: 3, name: 23, flowIds: 47, terminatingFlowIds: 48 } as const;
const DA = { nameIid: 1, bool: 2, int: 4, double: 5, string: 6, stringIid: 17 } as const;
const ID = { categories: 1, eventNames: 2, annotationNames: 3, annotationStrings: 29 } as const;
const INTERNED = { iid: 1, name: 2 } as const;
const SLICE_BEGIN = 1,
  SLICE_END = 2,
  INSTANT = 3;
const SEQ_CLEARED = 1,
  SEQ_NEEDS_STATE = 2;
const CHILD_ORDER_EXPLICIT = 3;

const SEQUENCE = 1;
const PID = 1;
const PROCESS_UUID = 1;
/** Track uuids: a lane's thread track, and its child tracks for overlapping spans. */
const laneUuid = (lane: number, sub = 0) => 1000 + lane * 256 + sub;
const MAX_SUBTRACKS = 256;

export const CATEGORIES = [...SPAN_KINDS, 'submit', 'log', 'mark'] as const;
export const ANNOTATIONS = [
  'status',
  'job',
  'task',
  'api',
  'site',
  'registered_at',
  'text',
  'input',
  'callback_kind',
  'queue_us',
  'cpu_us',
  'pool',
  'stream',
  'pid',
  'replaces',
  'exit_code',
  'signal',
  'cpu_wait_us',
] as const;
const cat = (c: (typeof CATEGORIES)[number]) => CATEGORIES.indexOf(c) + 1;
const ann = (a: (typeof ANNOTATIONS)[number]) => ANNOTATIONS.indexOf(a) + 1;

const PIECE_BYTES = 1 << 20;
const ns = (us: number) => Math.max(0, Math.round(us * 1000));

/**
 * Interned ids of one interned table: a store string by its store id, any other string by a
 * local id above those. Each is written into the packet that first uses it.
 */
class Interned {
  private readonly sent: Uint8Array;
  private readonly local = new Map<string, number>();
  private fresh: [number, string][] = [];

  constructor(
    private readonly store: TraceStore,
    private readonly storeStrings: number,
  ) {
    this.sent = new Uint8Array(storeStrings + 1);
  }

  /** The iid of store string `id` (0, the empty string, has none: -1). */
  ofStore(id: number): number {
    if (id <= 0) return -1;
    if (!this.sent[id]) {
      this.sent[id] = 1;
      this.fresh.push([id, this.store.str(id)]);
    }
    return id;
  }

  of(text: string): number {
    let iid = this.local.get(text);
    if (iid === undefined) {
      iid = this.storeStrings + 1 + this.local.size;
      this.local.set(text, iid);
      this.fresh.push([iid, text]);
    }
    return iid;
  }

  /** Writes the ids first used since the last call into field `field` of InternedData. */
  flush(w: ProtoWriter, field: number): void {
    for (const [iid, text] of this.fresh) {
      w.message(field, () => {
        w.uint(INTERNED.iid, iid);
        w.string(INTERNED.name, text);
      });
    }
    this.fresh = [];
  }

  get pending(): boolean {
    return this.fresh.length > 0;
  }
}

/** What happens next on one track, in time order. */
interface Stream {
  /** the time of its next packet, ns; Infinity when it has no more */
  ts: number;
  emit(): void;
}

class PerfettoWriter {
  /** the file, packet after packet */
  readonly w = new ProtoWriter();
  /** the TrackEvent of the packet being made: written aside, since the interned data it first uses goes before it */
  private readonly e = new ProtoWriter();
  private readonly names: Interned;
  private readonly values: Interned;
  private readonly maxJob: number;
  private readonly tasks: { offsets: Int32Array; items: Int32Array };
  /** per job, the callback span that ends its flows (-1: none, the task ends them) */
  private readonly lastCallback: Int32Array;

  constructor(private readonly store: TraceStore) {
    let strings = 0;
    while (store.str(strings + 1) !== '') strings++;
    this.names = new Interned(store, strings);
    this.values = new Interned(store, strings);
    let maxJob = 0;
    for (const id of store.jobs.keys()) if (id > maxJob) maxJob = id;
    this.maxJob = maxJob;
    this.tasks = groupByJob(store, 'task', maxJob);
    const callbacks = groupByJob(store, 'callback', maxJob);
    this.lastCallback = new Int32Array(maxJob + 1).fill(-1);
    for (let j = 0; j <= maxJob; j++) {
      for (let k = callbacks.offsets[j]; k < callbacks.offsets[j + 1]; k++) {
        const i = callbacks.items[k];
        const last = this.lastCallback[j];
        if (last < 0 || store.col.start[i] > store.col.start[last] || (store.col.start[i] === store.col.start[last] && i > last)) this.lastCallback[j] = i;
      }
    }
  }

  packet(ts: number | undefined, body: () => void): void {
    const w = this.w;
    w.message(TRACE_PACKET, () => {
      if (ts !== undefined) w.uint(P.timestamp, ts);
      w.uint(P.sequenceId, SEQUENCE);
      body();
    });
  }

  header(): void {
    const w = this.w;
    this.packet(undefined, () => {
      w.uint(P.sequenceFlags, SEQ_CLEARED);
      w.message(P.internedData, () => {
        CATEGORIES.forEach((c, k) => w.message(ID.categories, () => (w.uint(INTERNED.iid, k + 1), w.string(INTERNED.name, c))));
        ANNOTATIONS.forEach((a, k) => w.message(ID.annotationNames, () => (w.uint(INTERNED.iid, k + 1), w.string(INTERNED.name, a))));
      });
    });
    this.packet(undefined, () =>
      w.message(P.trackDescriptor, () => {
        w.uint(TD.uuid, PROCESS_UUID);
        w.uint(TD.childOrdering, CHILD_ORDER_EXPLICIT);
        w.message(TD.process, () => {
          w.int(PD.pid, PID);
          w.string(PD.processName, `poolscope${this.store.meta.file ? ` ${this.store.meta.file}` : ''}`);
        });
      }),
    );
  }

  laneTrack(lane: Lane, rank: number, subtracks: number): void {
    const w = this.w;
    this.packet(undefined, () =>
      w.message(P.trackDescriptor, () => {
        w.uint(TD.uuid, laneUuid(lane.id));
        w.uint(TD.parentUuid, PROCESS_UUID);
        w.int(TD.siblingRank, rank);
        w.message(TD.thread, () => {
          w.int(THD.pid, PID);
          w.int(THD.tid, lane.id + 1);
          w.string(THD.threadName, lane.name);
        });
      }),
    );
    for (let s = 1; s < subtracks; s++) {
      this.packet(undefined, () =>
        w.message(P.trackDescriptor, () => {
          w.uint(TD.uuid, laneUuid(lane.id, s));
          w.uint(TD.parentUuid, laneUuid(lane.id));
          w.string(TD.name, `${lane.name} (overlapping ${s})`);
        }),
      );
    }
  }

  /** A packet holding the TrackEvent written into `e`, after the interned data it first used. */
  private event(ts: number): void {
    const w = this.w;
    this.packet(ts, () => {
      w.uint(P.sequenceFlags, SEQ_NEEDS_STATE);
      if (this.names.pending || this.values.pending) {
        w.message(P.internedData, () => {
          this.names.flush(w, ID.eventNames);
          this.values.flush(w, ID.annotationStrings);
        });
      }
      w.embed(P.trackEvent, this.e);
    });
  }

  private annotation(name: (typeof ANNOTATIONS)[number], value: () => void): void {
    const e = this.e;
    e.message(TE.debugAnnotations, () => {
      e.uint(DA.nameIid, ann(name));
      value();
    });
  }

  private storeString(name: (typeof ANNOTATIONS)[number], id: number): void {
    const iid = this.values.ofStore(id);
    if (iid > 0) this.annotation(name, () => this.e.uint(DA.stringIid, iid));
  }

  private word(name: (typeof ANNOTATIONS)[number], word: string): void {
    this.annotation(name, () => this.e.uint(DA.stringIid, this.values.of(word)));
  }

  private integer(name: (typeof ANNOTATIONS)[number], v: number): void {
    this.annotation(name, () => this.e.int(DA.int, v));
  }

  private flows(field: number, spans: ArrayLike<number>): void {
    for (let k = 0; k < spans.length; k++) this.e.fixed64(field, spans[k] + 1);
  }

  private tasksOf(job: number): Int32Array {
    return job >= 0 && job <= this.maxJob ? this.tasks.items.subarray(this.tasks.offsets[job], this.tasks.offsets[job + 1]) : new Int32Array(0);
  }

  sliceBegin(i: number, track: number): void {
    const { store, e } = this;
    const kind = SPAN_KINDS[store.col.kind[i]];
    e.uint(TE.type, SLICE_BEGIN);
    e.uint(TE.trackUuid, track);
    e.uint(TE.categoryIids, cat(kind));
    const name = this.names.ofStore(store.col.name[i]);
    if (name > 0) e.uint(TE.nameIid, name);
    else e.string(TE.name, '');
    this.word('status', SPAN_STATUSES[store.col.status[i]]);
    const job = store.col.job[i];
    if (job >= 0) this.integer('job', job);
    if (store.col.taskId[i] !== -1) this.integer('task', store.col.taskId[i]);
    this.storeString('api', store.col.api[i]);
    this.storeString('site', store.col.site[i]);
    this.storeString('registered_at', store.col.site2[i]);
    this.storeString('text', store.col.text[i]);
    this.storeString('input', store.col.args[i]);
    if (store.col.cbKind[i] >= 0) this.word('callback_kind', CALLBACK_KINDS[store.col.cbKind[i]]);
    const queued = store.col.queued[i];
    if (!Number.isNaN(queued)) this.annotation('queue_us', () => e.double(DA.double, Math.max(0, store.col.start[i] - queued)));
    if (store.col.cpu[i] >= 0) this.integer('cpu_us', store.col.cpu[i]);
    if (store.col.cpuWait[i] >= 0) this.integer('cpu_wait_us', store.col.cpuWait[i]);
    // Flows: one per task span (id = span index + 1), from its job's submit through the task to
    // the job's callbacks in start order; the last event of a chain ends it.
    const last = job >= 0 && job <= this.maxJob ? this.lastCallback[job] : -1;
    if (kind === 'task') this.flows(last < 0 ? TE.terminatingFlowIds : TE.flowIds, [i]);
    else if (kind === 'callback' && job >= 0 && job <= this.maxJob) this.flows(last === i ? TE.terminatingFlowIds : TE.flowIds, this.tasksOf(job));
    this.event(ns(store.col.start[i]));
  }

  sliceEnd(i: number, track: number): void {
    this.e.uint(TE.type, SLICE_END);
    this.e.uint(TE.trackUuid, track);
    this.event(ns(this.store.col.end[i]));
  }

  submit(job: Job, track: number): void {
    const e = this.instant(track, 'submit');
    e.uint(TE.nameIid, this.names.of(job.api));
    this.integer('job', job.id);
    if (job.site) this.annotation('site', () => e.uint(DA.stringIid, this.values.of(formatSite(job.site!))));
    this.flows(TE.flowIds, this.tasksOf(job.id));
    this.event(ns(job.submitted));
  }

  /** Starts an instant event of `category` on `track`; returns the writer its fields go to. */
  private instant(track: number, category: (typeof CATEGORIES)[number]): ProtoWriter {
    const e = this.e;
    e.uint(TE.type, INSTANT);
    e.uint(TE.trackUuid, track);
    e.uint(TE.categoryIids, cat(category));
    return e;
  }

  log(l: LogLine, track: number): void {
    const e = this.instant(track, 'log');
    e.string(TE.name, logTitle(l.text));
    this.annotation('text', () => e.string(DA.string, l.text));
    this.word('stream', l.stream);
    this.event(ns(l.ts));
  }

  mark(m: Mark, track: number): void {
    const e = this.instant(track, 'mark');
    e.uint(TE.nameIid, this.names.of(m.kind));
    if (m.pool >= 0) this.integer('pool', m.pool);
    if (m.text !== undefined) this.annotation('text', () => e.string(DA.string, m.text!));
    // A worker's marks: which process, whether it replaced one, how it died and the task it took with it.
    if (m.pid !== undefined) this.integer('pid', m.pid);
    if (m.replaces) this.annotation('replaces', () => e.uint(DA.bool, 1));
    if (m.exitCode !== undefined) this.integer('exit_code', m.exitCode);
    if (m.signal !== undefined) this.word('signal', m.signal);
    if (m.task !== undefined) this.integer('task', m.task);
    this.event(ns(m.ts));
  }
}

export function* perfettoTrace(store: TraceStore): Generator<Uint8Array> {
  const out = new PerfettoWriter(store);
  const w = out.w;
  out.header();
  const lanes = lanesInOrder(store.lanes);
  const { lists, sub, subCount } = laneTracks(store);
  lanes.forEach((lane, rank) => out.laneTrack(lane, rank, subCount.get(lane.id) ?? 1));

  const streams: Stream[] = [];
  for (const lane of lanes) {
    const list = lists.get(lane.id) ?? new Int32Array(0);
    for (let s = 0; s < (subCount.get(lane.id) ?? 1); s++) streams.push(sliceStream(out, store, list, sub, s, laneUuid(lane.id, s)));
  }
  streams.push(instantStream(out, store));

  // Merge by time: each stream keeps its own order, so every track's slices nest as written.
  for (;;) {
    let next: Stream | undefined;
    for (const s of streams) if (s.ts < (next?.ts ?? Infinity)) next = s;
    if (!next) break;
    next.emit();
    if (w.len >= PIECE_BYTES) yield w.take();
  }
  yield w.take();
}

/**
 * Each lane's spans in the order their slices begin (start, longer first), and which track of the
 * lane each goes on: the first on which it nests inside whatever is still open, so no track ever
 * holds two slices that overlap without one containing the other.
 */
function laneTracks(store: TraceStore): { lists: Map<number, Int32Array>; sub: Uint8Array; subCount: Map<number, number> } {
  const n = store.spanCount;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(store.col.lane[i], (counts.get(store.col.lane[i]) ?? 0) + 1);
  const lists = new Map<number, Int32Array>();
  const fill = new Map<number, number>();
  for (const [lane, c] of counts) {
    lists.set(lane, new Int32Array(c));
    fill.set(lane, 0);
  }
  for (let i = 0; i < n; i++) {
    const lane = store.col.lane[i];
    const at = fill.get(lane)!;
    lists.get(lane)![at] = i;
    fill.set(lane, at + 1);
  }
  const { start, end } = store.col;
  const sub = new Uint8Array(n);
  const subCount = new Map<number, number>();
  for (const [lane, list] of lists) {
    list.sort((a, b) => start[a] - start[b] || end[b] - end[a] || a - b);
    const open: number[][] = [];
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      let t = 0;
      for (; t < MAX_SUBTRACKS - 1; t++) {
        const stack = (open[t] ??= []);
        while (stack.length && stack[stack.length - 1] <= start[i]) stack.pop();
        if (stack.length === 0 || stack[stack.length - 1] >= end[i]) break;
      }
      (open[t] ??= []).push(end[i]);
      sub[i] = t;
    }
    subCount.set(lane, Math.max(1, open.length));
  }
  return { lists, sub, subCount };
}

/** The begin and end packets of one track's slices, nested as laneTracks arranged them. */
function sliceStream(out: PerfettoWriter, store: TraceStore, list: Int32Array, sub: Uint8Array, track: number, uuid: number): Stream {
  const { start, end } = store.col;
  const open: number[] = [];
  let k = 0;
  const skipOthers = () => {
    while (k < list.length && sub[list[k]] !== track) k++;
  };
  const stream: Stream = {
    ts: Infinity,
    emit() {
      const top = open[open.length - 1];
      // A slice ends before the next begins at the same moment: they are siblings, not nested.
      if (top !== undefined && (k >= list.length || end[top] <= start[list[k]])) {
        open.pop();
        out.sliceEnd(top, uuid);
      } else {
        const i = list[k++];
        open.push(i);
        skipOthers();
        out.sliceBegin(i, uuid);
      }
      next();
    },
  };
  const next = () => {
    const top = open[open.length - 1];
    const endTs = top === undefined ? Infinity : end[top];
    const beginTs = k < list.length ? start[list[k]] : Infinity;
    const ts = Math.min(endTs, beginTs);
    stream.ts = ts === Infinity ? Infinity : ns(ts);
  };
  skipOthers();
  next();
  return stream;
}

/** Submits (on Main), printed lines and marks (on their lanes), in time order. */
function instantStream(out: PerfettoWriter, store: TraceStore): Stream {
  const mainLane = store.lanes.find((l) => l.kind === 'main')?.id ?? store.lanes[0]?.id ?? 0;
  // An instant on a lane the trace does not describe goes on Main: every track must be described.
  const track = (lane: number) => laneUuid(store.laneById(lane) ? lane : mainLane);
  // Jobs by id, each made from the store's columns as its submit is written.
  const jobs = new Int32Array(store.jobs.size);
  const { logs, marks } = store;
  const total = jobs.length + logs.length + marks.length;
  const ts = new Float64Array(total);
  let row = 0;
  for (const j of store.jobs.values()) {
    jobs[row] = j.id;
    ts[row++] = j.submitted;
  }
  logs.forEach((l, k) => (ts[jobs.length + k] = l.ts));
  marks.forEach((m, k) => (ts[jobs.length + logs.length + k] = m.ts));
  const order = new Int32Array(total);
  for (let k = 0; k < total; k++) order[k] = k;
  order.sort((a, b) => ts[a] - ts[b] || a - b);
  let k = 0;
  const stream: Stream = {
    ts: Infinity,
    emit() {
      const x = order[k++];
      if (x < jobs.length) out.submit(store.jobs.get(jobs[x])!, track(mainLane));
      else if (x < jobs.length + logs.length) out.log(logs[x - jobs.length], track(logs[x - jobs.length].lane));
      else {
        const m = marks[x - jobs.length - logs.length];
        out.mark(m, track(m.lane));
      }
      stream.ts = k < total ? ns(ts[order[k]]) : Infinity;
    },
  };
  stream.ts = total ? ns(ts[order[0]]) : Infinity;
  return stream;
}
