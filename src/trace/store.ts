// The columnar trace store: one typed-array column per span field (as spanColumns.ts defines
// them), so a million spans cost tens of megabytes rather than a million objects. Strings are
// interned once.
import { SPAN_KINDS, SPAN_STATUSES, type Lane, type LogLine, type Mark, type PoolInfo, type Span, type SpanKind, type SpanStatus, type TraceMeta } from './model';
import { JobTable } from './jobTable';
import { NotKept } from './notKept';
import { SPAN_COLUMNS, SPAN_COLUMN_NAMES, allocColumns, grownTo, spanAt, type NewSpan, type SpanArrays, type SpanColumn } from './spanColumns';

export type { NewSpan };

const { kind: KIND, status: STATUS } = SPAN_COLUMNS;
/** The columns addSpan writes from the span it is given (addRow writes the others), each with how. */
const GIVEN = SPAN_COLUMN_NAMES.filter((c) => c !== 'lane' && c !== 'kind' && c !== 'status' && c !== 'start').map(
  (c) => [c, SPAN_COLUMNS[c].codec.write as (v: unknown, intern: (s: string | undefined) => number) => number] as const,
);

export class TraceStore {
  readonly lanes: Lane[] = [];
  readonly logs: LogLine[] = [];
  readonly marks: Mark[] = [];
  readonly jobs = new JobTable();
  readonly pools = new Map<number, PoolInfo>();
  /** the tasks a run past the span budget, or a window of a journal, counted but did not keep */
  readonly notKept = new NotKept();
  meta: TraceMeta;
  /** The latest time anything happened, µs from the origin. */
  end = 0;
  /** Bumped on every change; spanRev[i] holds the revision that last touched span i. */
  revision = 0;
  /** jobRev[id]: the revision that last changed job id (a run's job ids count up from 1). */
  private jobRev = new Uint32Array(0);
  /** the revision of the latest jobChanged: a view that has it needs no look through every job */
  private lastJobChange = 0;

  private readonly strings: string[] = [''];
  private readonly stringIds = new Map<string, number>([['', 0]]);
  private n = 0;
  private cap = 0;
  /** The span columns by field (see spanColumns.ts), replaced by longer ones as the store grows. */
  col: SpanArrays = allocColumns(0);
  spanRev = new Uint32Array(0);
  private readonly internFn = (s: string | undefined) => this.intern(s);

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
    // Rows past the last are filled with each column's none as the store grows.
    const col = this.col;
    col.lane[i] = lane;
    col.kind[i] = KIND.codec.write(kind);
    col.status[i] = STATUS.codec.write(status);
    col.start[i] = start;
    col.end[i] = start;
    this.spanRev[i] = ++this.revision;
    this.touch(start);
    return i;
  }

  addSpan(s: NewSpan): number {
    const i = this.addRow(s.lane, s.kind, s.status, s.start);
    const col = this.col;
    for (const [c, write] of GIVEN) {
      const v = s[c];
      if (v !== undefined) col[c][i] = write(v, this.internFn);
    }
    this.touch(col.end[i]);
    return i;
  }

  /** Ends span i, or amends its end: its end, status and (when given) text. */
  endSpan(i: number, end: number, status: SpanStatus, text?: string): void {
    this.col.end[i] = end;
    this.touch(end);
    this.col.status[i] = STATUS.codec.write(status);
    if (text !== undefined) this.col.text[i] = this.intern(text);
    this.amended(i);
  }

  /** Span i's columns were written after it was added: the next delta must carry it. */
  amended(i: number): void {
    this.spanRev[i] = ++this.revision;
  }

  kind(i: number): SpanKind {
    return SPAN_KINDS[this.col.kind[i]];
  }

  status(i: number): SpanStatus {
    return SPAN_STATUSES[this.col.status[i]];
  }

  span(i: number): Span {
    return spanAt(this.col, this.strings, i);
  }

  /** Job id was added or changed in place. */
  jobChanged(id: number): void {
    if (id >= this.jobRev.length) this.jobRev = grownTo(this.jobRev, id + 1);
    this.jobRev[id] = ++this.revision;
    this.lastJobChange = this.revision;
  }

  /** The ids of the jobs changed after `revision`: a live view's next patch carries only those. */
  jobsChangedSince(revision: number): Int32Array {
    if (this.lastJobChange <= revision) return new Int32Array(0);
    const rev = this.jobRev;
    let n = 0;
    for (let id = 1; id < rev.length; id++) if (rev[id] > revision && this.jobs.has(id)) n++;
    const out = new Int32Array(n);
    for (let id = 1, k = 0; k < n; id++) if (rev[id] > revision && this.jobs.has(id)) out[k++] = id;
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
    const running = STATUS.codec.write('running');
    const { status, end } = this.col;
    for (let i = 0; i < this.n; i++) {
      if (status[i] === running && end[i] < this.end) {
        end[i] = this.end;
        this.amended(i);
      }
    }
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const col = {} as Record<SpanColumn, SpanArrays[SpanColumn]>;
    for (const c of SPAN_COLUMN_NAMES) {
      const { none } = SPAN_COLUMNS[c].codec;
      col[c] = grownTo(this.col[c], cap);
      if (none !== 0) col[c].fill(none, this.cap);
    }
    this.col = col as SpanArrays;
    this.spanRev = grownTo(this.spanRev, cap);
    this.cap = cap;
  }
}
