// The view's copy of the trace: the same typed-array columns the host store keeps, grown in
// place as patches arrive, plus what drawing needs: lanes in display order, a per-lane index
// of spans sorted by start, level-of-detail coverage bins and the two counter tracks.
import {
  SPAN_KINDS,
  SPAN_STATUSES,
  SPAN_COLUMN_NAMES,
  IntervalUnion,
  asColumn,
  decodeColumn,
  type Lane,
  type LogLine,
  type Mark,
  type PoolInfo,
  type TraceMeta,
  type TracePatch,
  type ViewJob,
  type WireFinding,
  type WireJobs,
  type WireNotKept,
} from '../protocol/wire';
import { runsInProcesses, type Span, type SpanKind, type SpanStatus } from '../trace/model';
import { allocColumns, grownTo, spanAt, type SpanArrays } from '../trace/spanColumns';
import { workerSpells, type WorkerSpell } from '../trace/workers';
import { bisectLeft, bisector } from 'd3-array';
import { CoverageBins, StepSeries } from './lod';
import { SpanFindings } from './spanFindings';

// Columns hold the store's codes: indices into SPAN_KINDS and SPAN_STATUSES (and CALLBACK_KINDS).
const kindCode = (k: SpanKind) => SPAN_KINDS.indexOf(k);
const statusCode = (s: SpanStatus) => SPAN_STATUSES.indexOf(s);
export const K_TASK = kindCode('task'),
  K_CALLBACK = kindCode('callback'),
  K_WAIT = kindCode('wait'),
  K_RUN = kindCode('run');
export const S_OK = statusCode('ok'),
  S_ERROR = statusCode('error');
const S_THREW = statusCode('threw');
export const S_CANCELLED = statusCode('cancelled');
export const S_LOST = statusCode('lost');
const S_RUNNING = statusCode('running');
const S_TIMEOUT = statusCode('timeout');

/** A row that no finding names. */
const NO_MARKS: FindingMarks = { spans: new Int32Array(0), severity: new Uint8Array(0), maxDur: 0 };

/** Colour classes, in rising importance: when spans share a pixel the highest class wins. */
export const enum Cls {
  WaitOk,
  MainRun,
  TaskOk,
  CallbackOk,
  InitOk,
  Running,
  Cancelled,
  CallbackSlow,
  WaitBad,
  InitError,
  TaskError,
  TaskLost,
  CallbackThrew,
}
export const CLASS_COUNT = 13;

/** A span as the view shows it: its lane resolved, and whether it counts as slow. */
export type SpanView = Omit<Span, 'lane'> & { lane: Lane; slow: boolean };

/** One display row's spans that findings name, in start order, with the worst severity of each (see MarkSeverity). */
export interface FindingMarks {
  spans: Int32Array;
  severity: Uint8Array;
  /** the longest of them, to find those that start before a window but reach into it */
  maxDur: number;
}

export class TraceData {
  n = 0;
  cols: SpanArrays;
  strings: string[] = [''];
  lanes: Lane[] = [];
  /** lanes top to bottom: Main, Callback, Worker 1..N */
  rows: Lane[] = [];
  rowOfLane = new Map<number, number>();
  logs: LogLine[] = [];
  marks: Mark[] = [];
  /** jobs by columns, rows in id order (see job()) */
  private jobRows = 0;
  private jobId = new Int32Array(0);
  private jobApi = new Uint16Array(0);
  private jobSubmitted = new Float64Array(0);
  private jobReadyAt = new Float64Array(0);
  private readonly apis: string[] = [];
  private readonly apiCodes = new Map<string, number>();
  pools = new Map<number, PoolInfo>();
  meta: TraceMeta = { file: '', startedAt: '', outcome: 'running' };
  end = 0;
  findings: WireFinding[] = [];
  /** the tasks the host counted but did not keep (past its span budget); undefined: it kept them all */
  notKept: WireNotKept | undefined;
  /** per display row: spans not kept that ran there (counted, not drawn) */
  notKeptSpans = new Int32Array(0);
  /** by lane id: the threads or processes that ran on it, oldest first (a Pool replaces dead ones on the same lane) */
  workers = new Map<number, WorkerSpell[]>();
  private spanFindings = new SpanFindings([]);
  /** per display row, built when first painted after the findings or the spans changed */
  private markedRows: FindingMarks[] | undefined;
  slowUs = 100_000;

  /** per display row: span indices sorted by start */
  byLane: Int32Array[] = [];
  /** per display row: the longest span, to find spans that start before a window but reach into it */
  maxDur: Float64Array = new Float64Array(0);
  busyShare: Float64Array = new Float64Array(0);
  logsByLane: LogLine[][] = [];
  coverage: CoverageBins[] = [];
  queuedSeries = new StepSeries();
  busySeries = new StepSeries();
  private dirty = true;
  private cap = 0;

  constructor() {
    this.cols = allocColumns(0);
  }

  apply(p: TracePatch): void {
    if (p.reset) {
      this.n = 0;
      this.strings = [''];
      this.logs = [];
      this.marks = [];
      this.jobRows = 0;
    }
    this.strings.length = p.strings.base;
    for (const s of p.strings.items) this.strings.push(s);
    this.applySpans(p);
    this.lanes = p.lanes;
    this.logs.length = p.logs.base;
    for (const l of p.logs.items) this.logs.push(l);
    this.marks.length = p.marks.base;
    for (const m of p.marks.items) this.marks.push(m);
    this.applyJobs(p.jobs);
    this.pools = new Map(p.pools.map((x) => [x.id, x]));
    this.meta = p.meta;
    this.end = Math.max(p.end, 1);
    this.notKept = p.notKept;
    this.dirty = true;
  }

  /** Spans on display row r: those held and those counted but not kept. */
  laneSpans(r: number): number {
    return (this.byLane[r]?.length ?? 0) + (this.notKeptSpans[r] ?? 0);
  }

  /** One job as the view reads it, by id. */
  job(id: number): ViewJob | undefined {
    const row = this.rowOfJob(id);
    if (row < 0) return undefined;
    const ready = this.jobReadyAt[row];
    return { id, api: this.apis[this.jobApi[row]], submitted: this.jobSubmitted[row], ...(Number.isNaN(ready) ? {} : { readyAt: ready }) };
  }

  /** Replaces the rows of jobs the view holds and adds new ones, keeping rows in id order. */
  private applyJobs(w: WireJobs): void {
    const code = (api: string) => {
      let c = this.apiCodes.get(api);
      if (c === undefined) {
        this.apiCodes.set(api, (c = this.apis.length));
        this.apis.push(api);
      }
      return c;
    };
    const codes = w.apis.map(code);
    const id = asColumn(Int32Array, w.id),
      api = asColumn(Uint16Array, w.api),
      submitted = asColumn(Float64Array, w.submitted),
      readyAt = asColumn(Float64Array, w.readyAt);
    const added: number[] = [];
    for (let k = 0; k < w.n; k++) {
      const row = this.rowOfJob(id[k]);
      if (row < 0) {
        added.push(k);
        continue;
      }
      this.jobApi[row] = codes[api[k]];
      this.jobSubmitted[row] = submitted[k];
      this.jobReadyAt[row] = readyAt[k];
    }
    if (added.length === 0) return;
    if (this.appendJobs(added, id, codes, api, submitted, readyAt)) return;
    const n = this.jobRows + added.length;
    const order = Array.from({ length: n }, (_, r) => r);
    const idOf = (r: number) => (r < this.jobRows ? this.jobId[r] : id[added[r - this.jobRows]]);
    order.sort((a, b) => idOf(a) - idOf(b));
    const next = { id: new Int32Array(n), api: new Uint16Array(n), submitted: new Float64Array(n), readyAt: new Float64Array(n) };
    order.forEach((r, to) => {
      const old = r < this.jobRows;
      const k = old ? r : added[r - this.jobRows];
      next.id[to] = old ? this.jobId[r] : id[k];
      next.api[to] = old ? this.jobApi[r] : codes[api[k]];
      next.submitted[to] = old ? this.jobSubmitted[r] : submitted[k];
      next.readyAt[to] = old ? this.jobReadyAt[r] : readyAt[k];
    });
    this.jobId = next.id;
    this.jobApi = next.api;
    this.jobSubmitted = next.submitted;
    this.jobReadyAt = next.readyAt;
    this.jobRows = n;
  }

  /**
   * New jobs that all come after those held, in id order (a snapshot, a live run's next jobs) go
   * on the end as they are: sorting a million rows by id is most of a big trace's first frame.
   */
  private appendJobs(added: number[], id: Int32Array, codes: number[], api: Uint16Array, submitted: Float64Array, readyAt: Float64Array): boolean {
    let last = this.jobRows > 0 ? this.jobId[this.jobRows - 1] : -Infinity;
    for (const k of added) {
      if (id[k] <= last) return false;
      last = id[k];
    }
    const n = this.jobRows + added.length;
    // Room to spare, as the store's columns grow: a live run's batches then copy nothing.
    if (n > this.jobId.length) {
      this.jobId = grownTo(this.jobId, n);
      this.jobApi = grownTo(this.jobApi, n);
      this.jobSubmitted = grownTo(this.jobSubmitted, n);
      this.jobReadyAt = grownTo(this.jobReadyAt, n);
    }
    let row = this.jobRows;
    for (const k of added) {
      this.jobId[row] = id[k];
      this.jobApi[row] = codes[api[k]];
      this.jobSubmitted[row] = submitted[k];
      this.jobReadyAt[row++] = readyAt[k];
    }
    this.jobRows = n;
    return true;
  }

  private rowOfJob(id: number): number {
    const ids = this.jobId;
    const lo = bisectLeft(ids, id, 0, this.jobRows);
    return lo < this.jobRows && ids[lo] === id ? lo : -1;
  }

  setFindings(f: WireFinding[]): void {
    this.findings = f;
    this.spanFindings = new SpanFindings(f);
    this.markedRows = undefined;
  }

  /** Indices into findings of those that name span i. */
  findingsOf(i: number): number[] {
    return this.spanFindings.of(i);
  }

  /** Per display row, the spans findings name (what the painter outlines). */
  findingMarks(): FindingMarks[] {
    if (this.markedRows) return this.markedRows;
    // A live run has none until its end: no pass over every span per refresh for nothing.
    if (this.findings.length === 0) return (this.markedRows = this.byLane.map(() => NO_MARKS));
    const sev = this.spanFindings.severities(this.findings, this.n);
    const { start, end } = this.cols;
    return (this.markedRows = this.byLane.map((list) => {
      let count = 0;
      for (let k = 0; k < list.length; k++) if (sev[list[k]]) count++;
      const spans = new Int32Array(count),
        severity = new Uint8Array(count);
      let maxDur = 0;
      for (let k = 0, at = 0; k < list.length; k++) {
        const i = list[k];
        if (!sev[i]) continue;
        spans[at] = i;
        severity[at++] = sev[i];
        maxDur = Math.max(maxDur, end[i] - start[i]);
      }
      return { spans, severity, maxDur };
    }));
  }

  private applySpans(p: TracePatch): void {
    const w = p.spans;
    if (w.n === 0) return;
    const idx = w.idx;
    let top = w.base + w.n;
    if (idx) for (let k = 0; k < idx.length; k++) top = Math.max(top, idx[k] + 1);
    if (top > this.cap) this.grow(top);
    for (const c of SPAN_COLUMN_NAMES) {
      const src = decodeColumn(c, w[c]);
      const dst = this.cols[c];
      if (!idx) (dst as Float64Array).set(src as unknown as Float64Array, w.base);
      else for (let k = 0; k < idx.length; k++) dst[idx[k]] = src[k];
    }
    this.n = Math.max(this.n, top);
  }

  private grow(min: number): void {
    const cap = this.n === 0 ? min : Math.max(min, this.cap * 2);
    const next = allocColumns(cap);
    for (const c of SPAN_COLUMN_NAMES) (next[c] as Float64Array).set((this.cols[c] as Float64Array).subarray(0, this.n));
    this.cols = next;
    this.cap = cap;
  }

  /** Rebuilds the derived indexes if a patch arrived since the last call; true if it did. */
  refresh(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    this.markedRows = undefined;
    this.buildRows();
    this.buildLaneIndex();
    this.buildCounters();
    return true;
  }

  private buildRows(): void {
    const order = { main: 0, callback: 1, worker: 2 } as const;
    this.rows = [...this.lanes].sort((a, b) => order[a.kind] - order[b.kind] || a.pool - b.pool || a.id - b.id);
    this.rowOfLane = new Map(this.rows.map((l, r) => [l.id, r]));
    this.workers = workerSpells(this.marks);
  }

  /** Whether a lane's workers are child processes (its pool is a Pool or ProcessPoolExecutor), so its pids tell them apart. */
  isProcessLane(lane: Lane): boolean {
    const pool = this.pools.get(lane.pool);
    return pool !== undefined && runsInProcesses(pool.kind);
  }

  /** The worker that ran on lane `laneId` at time t (the last one started by then). */
  workerAt(laneId: number, t: number): WorkerSpell | undefined {
    let found: WorkerSpell | undefined;
    for (const s of this.workers.get(laneId) ?? []) if (s.from === undefined || s.from <= t) found = s;
    return found;
  }

  private buildLaneIndex(): void {
    const { lane, start, end, kind } = this.cols;
    const R = this.rows.length;
    const counts = new Int32Array(R);
    const rowOf = new Int32Array(65536).fill(-1);
    for (const [id, r] of this.rowOfLane) rowOf[id] = r;
    for (let i = 0; i < this.n; i++) {
      const r = rowOf[lane[i]];
      if (r >= 0) counts[r]++;
    }
    this.byLane = Array.from(counts, (c) => new Int32Array(c));
    const fill = new Int32Array(R);
    this.maxDur = new Float64Array(R);
    const busy = new Float64Array(R);
    for (let i = 0; i < this.n; i++) {
      const r = rowOf[lane[i]];
      if (r < 0) continue;
      this.byLane[r][fill[r]++] = i;
      const d = end[i] - start[i];
      if (d > this.maxDur[r]) this.maxDur[r] = d;
    }
    this.byLane.forEach((list, r) => {
      let sorted = true;
      for (let k = 1; k < list.length && sorted; k++) if (start[list[k]] < start[list[k - 1]]) sorted = false;
      if (!sorted) list.sort((a, b) => start[a] - start[b] || a - b);
      // Busy time is the union of the lane's spans: Main's awaits overlap, and a wait nested in a
      // callback is not extra work. On Main the share is time spent waiting.
      const main = this.rows[r].kind === 'main';
      const union = new IntervalUnion();
      for (let k = 0; k < list.length; k++) {
        const i = list[k];
        if ((kind[i] === K_WAIT) === main) union.add(start[i], end[i]);
      }
      busy[r] = union.finish();
    });
    // Tasks not kept still ran on their lanes: their count and busy time are in the lane's figures.
    this.notKeptSpans = new Int32Array(R);
    for (const l of this.notKept?.lanes ?? []) {
      const r = rowOf[l.lane];
      if (r < 0) continue;
      this.notKeptSpans[r] = l.spans;
      busy[r] += l.busy;
    }
    this.busyShare = busy.map((b) => Math.min(1, b / this.end));
    this.logsByLane = this.rows.map(() => []);
    for (const l of this.logs) {
      const r = this.rowOfLane.get(l.lane);
      if (r !== undefined) this.logsByLane[r].push(l);
    }
    for (const list of this.logsByLane) list.sort((a, b) => a.ts - b.ts);
    this.coverage = this.byLane.map((list) => new CoverageBins(this.end, list, start, end, (i) => this.cls(i)));
  }

  private buildCounters(): void {
    const { kind, queued, start, end, status } = this.cols;
    let tasks = 0;
    for (let i = 0; i < this.n; i++) if (kind[i] === K_TASK) tasks++;
    const qIn = new Float64Array(tasks),
      qOut = new Float64Array(tasks),
      bIn = new Float64Array(tasks),
      bOut = new Float64Array(tasks);
    let nq = 0,
      nb = 0;
    // Lane by lane, in start order: the times then come in a few ascending runs (see sortRuns).
    for (const list of this.byLane) {
      for (let k = 0; k < list.length; k++) {
        const i = list[k];
        if (kind[i] !== K_TASK) continue;
        if (!Number.isNaN(queued[i])) {
          qIn[nq] = queued[i];
          qOut[nq++] = start[i];
        }
        // A task dropped from the queue never ran: it only ever counted as queued.
        if (status[i] !== S_CANCELLED || end[i] > start[i]) {
          bIn[nb] = start[i];
          bOut[nb++] = end[i];
        }
      }
    }
    this.queuedSeries.build(qIn.subarray(0, nq), qOut.subarray(0, nq), this.end);
    this.busySeries.build(bIn.subarray(0, nb), bOut.subarray(0, nb), this.end);
  }

  str(id: number): string {
    return this.strings[id] ?? '';
  }

  isSlow(i: number): boolean {
    return this.cols.kind[i] === K_CALLBACK && this.cols.end[i] - this.cols.start[i] > this.slowUs;
  }

  cls(i: number): Cls {
    const k = this.cols.kind[i],
      s = this.cols.status[i];
    if (k === K_RUN) return Cls.MainRun;
    if (s === S_RUNNING) return Cls.Running;
    switch (k) {
      case K_TASK:
        return s === S_ERROR ? Cls.TaskError : s === S_LOST ? Cls.TaskLost : s === S_CANCELLED ? Cls.Cancelled : Cls.TaskOk;
      case K_CALLBACK:
        return s === S_THREW ? Cls.CallbackThrew : this.isSlow(i) ? Cls.CallbackSlow : Cls.CallbackOk;
      case K_WAIT:
        return s === S_TIMEOUT || s === S_ERROR ? Cls.WaitBad : Cls.WaitOk;
      default:
        return s === S_ERROR ? Cls.InitError : Cls.InitOk;
    }
  }

  name(i: number): string {
    return this.strings[this.cols.name[i]] ?? '';
  }

  span(i: number): SpanView {
    const laneId = this.cols.lane[i];
    const lane = this.lanes.find((l) => l.id === laneId) ?? { id: laneId, name: `lane ${laneId}`, kind: 'worker', pool: -1 };
    return { ...spanAt(this.cols, this.strings, i), lane, slow: this.isSlow(i) };
  }

  rowOf(i: number): number {
    return this.rowOfLane.get(this.cols.lane[i]) ?? -1;
  }

  /** Position of the first span in row r whose start is >= t. */
  lowerBound(r: number, t: number): number {
    const start = this.cols.start;
    return bisector((i: number) => start[i]).left(this.byLane[r], t);
  }

  /** Spans of one kind (or all) that belong to a job, in start order. */
  spansOfJob(job: number, kind?: SpanKind): number[] {
    const k = kind === undefined ? -1 : kindCode(kind);
    const out: number[] = [];
    const { job: jc, kind: kc, start } = this.cols;
    for (let i = 0; i < this.n; i++) if (jc[i] === job && (k < 0 || kc[i] === k)) out.push(i);
    return out.sort((a, b) => start[a] - start[b]);
  }
}

/** Position of the first entry at or after t in a list sorted by ts (printed lines, marks). */
export function lowerBoundTs(list: readonly { ts: number }[], t: number): number {
  return byTs.left(list, t);
}

const byTs = bisector((e: { ts: number }) => e.ts);
