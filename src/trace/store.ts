// The columnar trace store: one typed-array column per span field, so a million spans
// cost tens of megabytes rather than a million objects. Strings are interned once.
import {
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
import { CALLBACK_KINDS, spanAt, type SpanColumns } from './spanColumns';

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

  addLane(lane: Lane): void {
    if (this.lanes.some((l) => l.id === lane.id)) return;
    this.lanes.push(lane);
    this.lanes.sort((x, y) => x.id - y.id);
    this.revision++;
  }

  laneById(id: number): Lane | undefined {
    return this.lanes.find((l) => l.id === id);
  }

  addSpan(s: NewSpan): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.laneCol[i] = s.lane;
    this.kindCol[i] = SPAN_KINDS.indexOf(s.kind);
    this.statusCol[i] = SPAN_STATUSES.indexOf(s.status);
    this.startCol[i] = s.start;
    this.endCol[i] = s.end ?? s.start;
    this.queuedCol[i] = s.queued ?? NaN;
    this.taskIdCol[i] = s.taskId ?? -1;
    this.jobCol[i] = s.job ?? -1;
    this.nameCol[i] = this.intern(s.name);
    this.apiCol[i] = this.intern(s.api);
    this.siteCol[i] = this.intern(s.site);
    this.site2Col[i] = this.intern(s.site2);
    this.textCol[i] = this.intern(s.text);
    this.argsCol[i] = this.intern(s.args);
    this.cbKindCol[i] = s.cbKind ? CALLBACK_KINDS.indexOf(s.cbKind) : -1;
    this.spanRev[i] = ++this.revision;
    this.touch(s.end ?? s.start);
    return i;
  }

  /** Closes or amends span i. */
  update(i: number, u: { end?: number; status?: SpanStatus; text?: string; queued?: number; job?: number; api?: string; site?: string; args?: string }): void {
    if (u.end !== undefined) {
      this.endCol[i] = u.end;
      this.touch(u.end);
    }
    if (u.status !== undefined) this.statusCol[i] = SPAN_STATUSES.indexOf(u.status);
    if (u.text !== undefined) this.textCol[i] = this.intern(u.text);
    if (u.queued !== undefined) this.queuedCol[i] = u.queued;
    if (u.job !== undefined) this.jobCol[i] = u.job;
    if (u.api !== undefined) this.apiCol[i] = this.intern(u.api);
    if (u.site !== undefined) this.siteCol[i] = this.intern(u.site);
    if (u.args !== undefined) this.argsCol[i] = this.intern(u.args);
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

  *spans(): IterableIterator<Span> {
    for (let i = 0; i < this.n; i++) yield this.span(i);
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
    const running = SPAN_STATUSES.indexOf('running');
    for (let i = 0; i < this.n; i++) {
      if (this.statusCol[i] === running && this.endCol[i] < this.end) {
        this.endCol[i] = this.end;
        this.spanRev[i] = ++this.revision;
      }
    }
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const g = <T extends { length: number; set(a: T): void }>(old: T, ctor: new (n: number) => T): T => {
      const next = new ctor(cap);
      next.set(old);
      return next;
    };
    this.laneCol = g(this.laneCol, Uint16Array);
    this.kindCol = g(this.kindCol, Uint8Array);
    this.statusCol = g(this.statusCol, Uint8Array);
    this.startCol = g(this.startCol, Float64Array);
    this.endCol = g(this.endCol, Float64Array);
    this.queuedCol = g(this.queuedCol, Float64Array);
    this.taskIdCol = g(this.taskIdCol, Int32Array);
    this.jobCol = g(this.jobCol, Int32Array);
    this.nameCol = g(this.nameCol, Uint32Array);
    this.apiCol = g(this.apiCol, Uint32Array);
    this.siteCol = g(this.siteCol, Uint32Array);
    this.site2Col = g(this.site2Col, Uint32Array);
    this.textCol = g(this.textCol, Uint32Array);
    this.argsCol = g(this.argsCol, Uint32Array);
    this.cbKindCol = g(this.cbKindCol, Int8Array);
    this.spanRev = g(this.spanRev, Uint32Array);
    this.cols = undefined;
    this.cap = cap;
  }
}

function columnsOf(s: TraceStore) {
  return {
    lane: s.laneCol, kind: s.kindCol, status: s.statusCol, start: s.startCol, end: s.endCol,
    queued: s.queuedCol, taskId: s.taskIdCol, job: s.jobCol, name: s.nameCol, api: s.apiCol,
    site: s.siteCol, site2: s.site2Col, text: s.textCol, args: s.argsCol, cbKind: s.cbKindCol,
  } satisfies SpanColumns;
}
type StoreColumns = ReturnType<typeof columnsOf>;
