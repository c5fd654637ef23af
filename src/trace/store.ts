// The columnar trace store: one typed-array column per span field, so a million spans
// cost tens of megabytes rather than a million objects. Strings are interned once.
import {
  CALLBACK_KINDS,
  SPAN_KINDS,
  SPAN_STATUSES,
  type CallbackKindName,
  type Job,
  type Lane,
  type LogLine,
  type Mark,
  type PoolInfo,
  type Span,
  type SpanKind,
  type SpanStatus,
  type TraceMeta,
} from './model';
import { spanAt, type SpanColumns } from './spanColumns';

export interface NewSpan {
  lane: number;
  kind: SpanKind;
  status: SpanStatus;
  name: string;
  start: number;
  end?: number;
  queued?: number;
  taskId?: number;
  job?: number;
  api?: string;
  site?: string;
  site2?: string;
  text?: string;
  cbKind?: CallbackKindName;
  args?: string;
  cpu?: number;
  cpuWait?: number;
}

/** Each name's column code, so a hot path writes a number rather than searching a list. */
function codes<T extends string>(names: readonly T[]): Record<T, number> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<T, number>;
}
const KIND_CODES = codes(SPAN_KINDS);
const STATUS_CODES = codes(SPAN_STATUSES);

/** A copy of `a` with room for at least `n` items (at least twice its length, so growth stays amortized). */
export function grownTo<T extends Int8Array | Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array>(a: T, n: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  next.set(a as ArrayLike<number>);
  return next;
}

export class TraceStore {
  readonly lanes: Lane[] = [];
  readonly logs: LogLine[] = [];
  readonly marks: Mark[] = [];
  readonly jobs = new Map<number, Job>();
  readonly pools = new Map<number, PoolInfo>();
  meta: TraceMeta;
  /** The latest time anything happened, µs from the origin. */
  end = 0;
  /** Bumped on every change; spanRev[i] holds the revision that last touched span i. */
  revision = 0;
  /** jobRev[id]: the revision that last changed job id (a run's job ids count up from 1). */
  private jobRev = new Uint32Array(0);

  private readonly strings: string[] = [''];
  private readonly stringIds = new Map<string, number>([['', 0]]);
  private n = 0;
  private cap = 0;
  laneCol = new Uint16Array(0);
  kindCol = new Uint8Array(0);
  statusCol = new Uint8Array(0);
  startCol = new Float64Array(0);
  endCol = new Float64Array(0);
  queuedCol = new Float64Array(0);
  taskIdCol = new Int32Array(0);
  jobCol = new Int32Array(0);
  nameCol = new Uint32Array(0);
  apiCol = new Uint32Array(0);
  siteCol = new Uint32Array(0);
  site2Col = new Uint32Array(0);
  textCol = new Uint32Array(0);
  argsCol = new Uint32Array(0);
  cbKindCol = new Int8Array(0);
  /** task: CPU µs on its thread; -1 unknown */
  cpuCol = new Int32Array(0);
  /** task: µs its thread waited, runnable, for a CPU while it ran; -1 unknown */
  cpuWaitCol = new Int32Array(0);
  private cols: StoreColumns | undefined;
  spanRev = new Uint32Array(0);

  constructor(meta: Partial<TraceMeta> = {}) {
    this.meta = { file: '', startedAt: new Date().toISOString(), outcome: 'running', ...meta };
  }

  get spanCount(): number {
    return this.n;
  }

  intern(s: string | undefined): number {
    if (s === undefined || s === '') return 0;
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  str(id: number): string {
    return this.strings[id] ?? '';
  }

  /** Adds a lane; a lane declared again (a process that learned it is a pool's worker) takes its new kind, pool and name. */
  addLane(lane: Lane): void {
    const known = this.laneById(lane.id);
    if (known) {
      if (known.kind === lane.kind && known.pool === lane.pool && known.name === lane.name) return;
      Object.assign(known, { kind: lane.kind, pool: lane.pool, name: lane.name });
      this.revision++;
      return;
    }
    this.lanes.push(lane);
    this.lanes.sort((x, y) => x.id - y.id);
    this.revision++;
  }

  laneById(id: number): Lane | undefined {
    return this.lanes.find((l) => l.id === id);
  }

  /** A new worker (thread or process) took over lane `id`. */
  setLanePid(id: number, pid: number): void {
    const lane = this.laneById(id);
    if (!lane || lane.pid === pid) return;
    lane.pid = pid;
    this.revision++;
  }

  /**
   * Appends a span with only its lane, kind, status and start (it ends where it starts, every
   * other field empty); the caller may fill its columns before it next hands control back.
   */
  addRow(lane: number, kind: SpanKind, status: SpanStatus, start: number): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.laneCol[i] = lane;
    this.kindCol[i] = KIND_CODES[kind];
    this.statusCol[i] = STATUS_CODES[status];
    this.startCol[i] = start;
    this.endCol[i] = start;
    this.queuedCol[i] = NaN;
    this.taskIdCol[i] = -1;
    this.jobCol[i] = -1;
    this.nameCol[i] = 0;
    this.apiCol[i] = 0;
    this.siteCol[i] = 0;
    this.site2Col[i] = 0;
    this.textCol[i] = 0;
    this.argsCol[i] = 0;
    this.cbKindCol[i] = -1;
    this.cpuCol[i] = -1;
    this.cpuWaitCol[i] = -1;
    this.spanRev[i] = ++this.revision;
    this.touch(start);
    return i;
  }

  addSpan(s: NewSpan): number {
    const i = this.addRow(s.lane, s.kind, s.status, s.start);
    if (s.end !== undefined) this.endCol[i] = s.end;
    if (s.queued !== undefined) this.queuedCol[i] = s.queued;
    if (s.taskId !== undefined) this.taskIdCol[i] = s.taskId;
    if (s.job !== undefined) this.jobCol[i] = s.job;
    this.nameCol[i] = this.intern(s.name);
    this.apiCol[i] = this.intern(s.api);
    this.siteCol[i] = this.intern(s.site);
    this.site2Col[i] = this.intern(s.site2);
    this.textCol[i] = this.intern(s.text);
    this.argsCol[i] = this.intern(s.args);
    if (s.cbKind) this.cbKindCol[i] = CALLBACK_KINDS.indexOf(s.cbKind);
    if (s.cpu !== undefined) this.cpuCol[i] = s.cpu;
    if (s.cpuWait !== undefined) this.cpuWaitCol[i] = s.cpuWait;
    this.touch(this.endCol[i]);
    return i;
  }

  /** Ends span i, or amends its end: its end, status and (when given) text. */
  endSpan(i: number, end: number, status: SpanStatus, text?: string): void {
    this.endCol[i] = end;
    this.touch(end);
    this.statusCol[i] = STATUS_CODES[status];
    if (text !== undefined) this.textCol[i] = this.intern(text);
    this.amended(i);
  }

  /** Span i's columns were written after it was added: the next delta must carry it. */
  amended(i: number): void {
    this.spanRev[i] = ++this.revision;
  }

  kind(i: number): SpanKind {
    return SPAN_KINDS[this.kindCol[i]];
  }

  status(i: number): SpanStatus {
    return SPAN_STATUSES[this.statusCol[i]];
  }

  span(i: number): Span {
    return spanAt(this.columns(), this.strings, i);
  }

  /** The span columns by field name, as the wire and the view name them (until they next grow). */
  columns(): StoreColumns {
    return (this.cols ??= columnsOf(this));
  }

  /** Job id was added or changed in place. */
  jobChanged(id: number): void {
    if (id >= this.jobRev.length) this.jobRev = grownTo(this.jobRev, id + 1);
    this.jobRev[id] = ++this.revision;
  }

  /** The jobs changed after `revision`: a live view's next patch carries only those. */
  jobsChangedSince(revision: number): Job[] {
    const out: Job[] = [];
    for (let id = 1; id < this.jobRev.length; id++) {
      if (this.jobRev[id] <= revision) continue;
      const job = this.jobs.get(id);
      if (job) out.push(job);
    }
    return out;
  }

  addLog(l: LogLine): void {
    this.logs.push(l);
    this.revision++;
    this.touch(l.ts);
  }

  addMark(m: Mark): void {
    this.marks.push(m);
    this.revision++;
    this.touch(m.ts);
  }

  touch(ts: number): void {
    if (ts > this.end) this.end = ts;
  }

  /** Ends every span still open at the trace end, so a stopped or killed run keeps its picture. */
  closeOpenSpans(): void {
    const running = STATUS_CODES.running;
    for (let i = 0; i < this.n; i++) {
      if (this.statusCol[i] === running && this.endCol[i] < this.end) {
        this.endCol[i] = this.end;
        this.amended(i);
      }
    }
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    this.laneCol = grownTo(this.laneCol, cap);
    this.kindCol = grownTo(this.kindCol, cap);
    this.statusCol = grownTo(this.statusCol, cap);
    this.startCol = grownTo(this.startCol, cap);
    this.endCol = grownTo(this.endCol, cap);
    this.queuedCol = grownTo(this.queuedCol, cap);
    this.taskIdCol = grownTo(this.taskIdCol, cap);
    this.jobCol = grownTo(this.jobCol, cap);
    this.nameCol = grownTo(this.nameCol, cap);
    this.apiCol = grownTo(this.apiCol, cap);
    this.siteCol = grownTo(this.siteCol, cap);
    this.site2Col = grownTo(this.site2Col, cap);
    this.textCol = grownTo(this.textCol, cap);
    this.argsCol = grownTo(this.argsCol, cap);
    this.cbKindCol = grownTo(this.cbKindCol, cap);
    this.cpuCol = grownTo(this.cpuCol, cap);
    this.cpuWaitCol = grownTo(this.cpuWaitCol, cap);
    this.spanRev = grownTo(this.spanRev, cap);
    this.cols = undefined;
    this.cap = cap;
  }
}

function columnsOf(s: TraceStore) {
  return {
    lane: s.laneCol, kind: s.kindCol, status: s.statusCol, start: s.startCol, end: s.endCol,
    queued: s.queuedCol, taskId: s.taskIdCol, job: s.jobCol, name: s.nameCol, api: s.apiCol,
    site: s.siteCol, site2: s.site2Col, text: s.textCol, args: s.argsCol, cbKind: s.cbKindCol, cpu: s.cpuCol, cpuWait: s.cpuWaitCol,
  } satisfies SpanColumns;
}
type StoreColumns = ReturnType<typeof columnsOf>;
