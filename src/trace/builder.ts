// Turns the raw records of every thread's ring into the trace store: spans from start/end
// pairs, jobs, pools, marks and printed lines. Rings are drained one after another, so a
// worker's TASK_START may arrive before main's TASK_SUBMIT of the same task; both orders work.
//
// A worker that dies is told of by whoever saw it (WORKER died, TASK_END lost), on the dead
// worker's lane but from another ring: the task it was running may not have started yet in the
// trace when its loss arrives, so a loss waits for its start.
//
// The host runs this for every record while the user's threads run, on the same cores: per task
// it allocates one Job, its task list and nothing else (task and wait bookkeeping lives in typed
// columns by id), so a burst of 100k tasks costs the user little CPU and little GC.
import { constants } from 'node:os';
import type { LogLine, Mark, MarkKind, PoolInfo, PoolKind, Site, SpanStatus } from './model';
import { CALLBACK_KINDS, LANE_KINDS, formatSite, parseSite } from './model';
import { CallbackStatus, HostRec, MainRun, MainStatus, PoolAction, Rec, TaskStatus, WaitOutcome, WorkerAction, unpackPoolApi, type RawRecord } from './records';
import type { TraceStore } from './store';
import { grownTo } from './spanColumns';
import { KEEP_ALL, type KeepPolicy } from './notKept';

const JOB_STATUS = ['ok', 'error', 'cancelled'] as const;
/** Wait span status by WaitOutcome. */
const WAIT_STATUS = ['ok', 'timeout', 'error'] as const satisfies readonly SpanStatus[];
/** Marks a thread records against one of its tasks, by record type. */
const TASK_MARKS: Record<number, MarkKind> = { [Rec.UNHANDLED]: 'unhandled', [Rec.LEFT_RUNNING]: 'left-running', [Rec.RESHAPED]: 'reshaped' };
const POOL_MARKS: Record<number, MarkKind> = {
  [PoolAction.created]: 'pool-created',
  [PoolAction.close]: 'close',
  [PoolAction.terminate]: 'terminate',
  [PoolAction.shutdown]: 'shutdown',
  [PoolAction.broken]: 'broken',
  [PoolAction.handlerDied]: 'handler-died',
  [PoolAction.respawn]: 'respawn',
};

/** Signal names by number, as this machine (the one that ran the workers) numbers them; the first name of a number wins (SIGABRT, not SIGIOT). */
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name);

const INITIAL_IDS = 1024;

/** Span indexes by a dense id (task and wait ids count up from 1; lane ids from 0). */
class SpanById {
  /** span index + 1; 0: none */
  private at = new Int32Array(INITIAL_IDS);

  get(id: number): number {
    return id < this.at.length ? this.at[id] - 1 : -1;
  }

  set(id: number, span: number): void {
    if (id >= this.at.length) this.at = grownTo(this.at, id + 1);
    this.at[id] = span + 1;
  }

  delete(id: number): void {
    if (id < this.at.length) this.at[id] = 0;
  }
}

/** What each task's TASK_SUBMIT said, by task id, for its span whether it started before or after. */
class Submits {
  /** 0: no submit seen (job ids count up from 1) */
  job = new Int32Array(INITIAL_IDS);
  queued = new Float64Array(INITIAL_IDS);
  /** store string ids */
  name = new Uint32Array(INITIAL_IDS);
  args = new Uint32Array(INITIAL_IDS);

  has(task: number): boolean {
    return task < this.job.length && this.job[task] !== 0;
  }

  set(task: number, job: number, queued: number, name: number, args: number): void {
    if (task >= this.job.length) {
      this.job = grownTo(this.job, task + 1);
      this.queued = grownTo(this.queued, task + 1);
      this.name = grownTo(this.name, task + 1);
      this.args = grownTo(this.args, task + 1);
    }
    this.job[task] = job;
    this.queued[task] = queued;
    this.name[task] = name;
    this.args[task] = args;
  }
}

export interface Progress {
  issued: number;
  done: number;
  failed: number;
  /** records taken in: the events the run's threads recorded */
  records: number;
}

/** One ring's interned strings. */
export type StringTable = string[];

/** A mark has a text only when its record had one: absent stays absent through a saved trace. */
function withText(mark: Mark, text: string | undefined): Mark {
  if (text !== undefined) mark.text = text;
  return mark;
}

const str = (strs: StringTable, id: number): string | undefined => (id >= 0 ? strs[id] : undefined);

export class TraceBuilder {
  readonly progress: Progress = { issued: 0, done: 0, failed: 0, records: 0 };
  /** Printed lines taken in since the last call of takeLogs. */
  private logs: LogLine[] = [];
  private readonly submits = new Submits();
  private readonly taskSpans = new SpanById();
  /** open wait spans; a wait leaves when it ends, so a second end of it finds nothing */
  private readonly waitSpans = new SpanById();
  /** by lane: the task span that started there last (running while its status says so) */
  private readonly laneTasks = new SpanById();
  /** tasks lost with their worker before their start reached the trace: when and how */
  private readonly lostUnstarted = new Map<number, { t: number; text: string | undefined }>();
  /** by lane: the pid of its latest worker, for a lane whose LANE record comes after */
  private readonly pids = new Map<number, number>();
  /** lanes that got marks before their LANE record: those marks learn their pool from it */
  private readonly marksBeforeLane = new Set<number>();
  private readonly callbackStacks = new Map<number, number[]>();
  private readonly initSpans = new Map<number, number>();
  /** main's open stretch of running its own code (MAIN_RUN), or -1 */
  private mainRunSpan = -1;
  /** Sites are interned strings; each is parsed once. */
  private readonly sites = new Map<string, Site | undefined>();
  /** Each job site's text as a store string, formatted once: 100k tasks from one line share it. */
  private readonly siteIds = new Map<Site, number>();

  /** Tasks from this id on are not kept (lowered when the store reaches its span budget). */
  private taskTo: number;
  /** the last task id let in: every task from keep.taskFrom to it is kept */
  private keptThrough: number;

  constructor(
    readonly store: TraceStore,
    /** the run's origin on the shared clock, µs */
    private readonly origin: number,
    private readonly keep: KeepPolicy = KEEP_ALL,
  ) {
    this.taskTo = keep.taskTo;
    this.keptThrough = keep.taskFrom - 1;
  }

  /** Some tasks may not be kept: callbacks and waits are then kept only with their job. */
  private get limited(): boolean {
    return this.keep.taskFrom > 1 || this.taskTo !== Infinity;
  }

  /**
   * Whether task `task` is kept as a span. A task the store holds anything of stays kept; a new
   * one is kept while its id is in the policy's range and the store is under its span budget.
   * The budget ends the range at the first task past it: tasks are issued in id order, so from
   * there on the store grows only by the tasks still on their way.
   */
  private keeps(task: number): boolean {
    if (this.submits.has(task) || this.taskSpans.get(task) >= 0) return true;
    if (task < this.keep.taskFrom || task >= this.taskTo) return false;
    if (this.keep.only) return this.keep.only.has(task);
    // Tasks are issued in id order, but a worker's ring may be read before main's: a task first
    // seen starting holds a place for every task before it, so the tasks kept are one run of ids
    // (and their jobs one run, which the job table keeps without a map). Counted as they come in:
    // a burst is issued long before its spans start.
    if (task <= this.keptThrough) return true;
    if (this.store.spanCount < this.keep.maxSpans && task - this.keep.taskFrom < this.keep.maxSpans) {
      this.keptThrough = task;
      return true;
    }
    this.taskTo = task;
    this.store.notKept.byBudgetOf(this.keep.maxSpans);
    return false;
  }

  private keepsJob(job: number): boolean {
    return !this.limited || this.store.jobs.has(job);
  }

  takeLogs(): LogLine[] {
    const l = this.logs;
    this.logs = [];
    return l;
  }

  consume(r: RawRecord, strs: StringTable): void {
    this.progress.records++;
    const t = r.ts - this.origin;
    const store = this.store;
    switch (r.type) {
      case Rec.STR:
        strs[r.a] = r.text ?? '';
        return;
      case Rec.LANE: {
        const pid = this.pids.get(r.a);
        store.addLane({ id: r.a, name: r.text ?? `lane ${r.a}`, kind: LANE_KINDS[r.b], pool: r.c, ...(pid === undefined ? {} : { pid }) });
        if (this.marksBeforeLane.delete(r.a)) for (const m of store.marks) if (m.lane === r.a) m.pool = r.c;
        return;
      }
      case Rec.POOL:
        this.pool(r, t, strs);
        return;
      case Rec.JOB:
        this.job(r.a, r.b, r.c, r.d, r.f, t, strs);
        return;
      case Rec.TASK_JOB: {
        if (!this.keeps(r.b)) return this.notKeptIssued(r.b, t);
        const { pool, api } = unpackPoolApi(r.c);
        this.job(r.a, pool, api, r.d, r.f, t, strs);
        this.submit(r.b, r.a, r.e, t, r.text, strs);
        return;
      }
      case Rec.CB_REG:
        if (
          this.keepsJob(r.a) &&
          store.jobs.addCallback(r.a, {
            kind: CALLBACK_KINDS[r.b],
            name: str(strs, r.c) ?? '<anonymous>',
            site: this.site(str(strs, r.d)),
            registeredAt: this.site(str(strs, r.e)),
          })
        )
          store.jobChanged(r.a);
        return;
      case Rec.TASK_SUBMIT:
        if (!this.keeps(r.a)) return this.notKeptIssued(r.a, t);
        this.submit(r.a, r.b, r.c, t, r.text, strs);
        return;
      case Rec.TASK_START:
        if (this.keeps(r.a)) this.addTask(r.a, r.lane, 'running', t);
        else store.notKept.start(r.lane, t);
        return;
      case Rec.TASK_END:
        if (this.keeps(r.a)) this.taskEnd(r, t);
        else this.notKeptEnd(r.lane, t, r.b);
        if (r.c > 0) this.jobReady(r.c, r.b, 1, 0, t);
        return;
      case Rec.TASK_DROP:
        this.progress.done++;
        if (this.keeps(r.a)) this.taskDropped(r.a, r.lane, t);
        else store.notKept.drop();
        return;
      case Rec.RESULT_IN:
        if (store.jobs.setResultIn(r.a, t)) store.jobChanged(r.a);
        store.touch(t);
        return;
      case Rec.JOB_READY:
        this.jobReady(r.a, r.b, r.c, r.d, t);
        return;
      case Rec.RETRIEVED:
        if (store.jobs.setRetrieved(r.a)) store.jobChanged(r.a);
        return;
      case Rec.CB_START:
        if (this.keepsJob(r.a)) this.callbackStart(r, t, strs);
        return;
      case Rec.CB_END: {
        // Only the end of the callback this lane is in: one of a job not kept never started here.
        const stack = this.callbackStacks.get(r.lane);
        if (!stack?.length || (this.limited && store.col.job[stack[stack.length - 1]] !== r.a)) return;
        store.endSpan(stack.pop()!, t, r.b === CallbackStatus.threw ? 'threw' : 'ok', r.text);
        return;
      }
      case Rec.WAIT_START:
        if (r.d < 0 || this.keepsJob(r.d)) this.waitStart(r, t, strs);
        return;
      case Rec.WAIT_END:
        this.endWait(r.a, t, r.b);
        return;
      case Rec.LOG: {
        // A program may print millions of lines: past the budget, each is one count, not an object
        // on the heap whose collections would hold the host's loop.
        if (store.logs.length >= (this.keep.maxLines ?? Infinity)) {
          store.notKept.lines++;
          return;
        }
        const line: LogLine = { lane: r.lane, ts: t, stream: r.a === 2 ? 'stderr' : 'stdout', text: r.text ?? '' };
        store.addLog(line);
        this.logs.push(line);
        return;
      }
      case Rec.INIT:
        this.init(r, t, strs);
        return;
      case Rec.WORKER:
        this.worker(r, t);
        return;
      case Rec.UNHANDLED:
      case Rec.LEFT_RUNNING:
      case Rec.RESHAPED: {
        const mark: Mark = { lane: r.lane, ts: t, kind: TASK_MARKS[r.type], pool: this.poolOfLane(r.lane) };
        if (r.a > 0) mark.task = r.a;
        store.addMark(withText(mark, r.text));
        return;
      }
      case Rec.DEADLOCK:
        store.meta.deadlock = { ts: t, site: this.site(str(strs, r.c)), job: r.b, reason: r.text ?? '' };
        store.addMark(withText({ lane: r.lane, ts: t, kind: 'deadlock', pool: -1 }, r.text));
        return;
      case Rec.RECORDS_STOPPED:
        store.meta.recordsStopped ??= { ts: t, why: r.text ?? '' };
        return;
      case Rec.MAIN_END:
        store.addMark(withText({ lane: r.lane, ts: t, kind: r.a === MainStatus.returned ? 'main-returned' : 'main-threw', pool: -1 }, r.text));
        if (r.a === MainStatus.threw) store.meta.error = r.text;
        return;
      case HostRec.MAIN_RUN:
        this.mainRun(r, t);
        return;
    }
  }

  private mainRun(r: RawRecord, t: number): void {
    const store = this.store;
    if (r.a === MainRun.began) {
      this.mainRunSpan = store.addSpan({ lane: r.lane, kind: 'run', status: 'running', name: 'main', start: t, end: t, site: r.text });
      return;
    }
    const i = this.mainRunSpan;
    if (i < 0) return;
    const paused = r.a === MainRun.paused;
    store.endSpan(i, t, paused ? 'ok' : 'running');
    if (paused) this.mainRunSpan = -1;
  }

  private notKeptIssued(task: number, t: number): void {
    this.progress.issued++;
    this.store.notKept.issued(task, t);
    this.store.touch(t);
  }

  /** A task not kept ended (`status`: a TaskStatus): counted on its lane. */
  private notKeptEnd(lane: number, t: number, status: number): void {
    this.progress.done++;
    if (status !== TaskStatus.ok) this.progress.failed++;
    this.store.notKept.end(lane, t, status === TaskStatus.lost ? 'lost' : status === TaskStatus.ok ? 'ok' : 'error');
    this.store.touch(t);
  }

  private taskEnd(r: RawRecord, t: number): void {
    const store = this.store;
    if (r.b === TaskStatus.lost) return this.loseTask(r.a, t, r.text);
    const i = this.taskSpans.get(r.a);
    // A lost task stays lost: its worker died, whatever its ring still says.
    if (i < 0 || store.status(i) === 'lost') return;
    // A second end amends the first: the result turned out not to be sendable.
    const again = store.status(i) !== 'running';
    const failed = r.b === TaskStatus.error;
    store.endSpan(i, again ? store.col.end[i] : t, failed ? 'error' : 'ok', r.text);
    if (!again && r.e >= 0) {
      store.col.cpu[i] = r.e;
      if (r.f >= 0) store.col.cpuWait[i] = r.f;
    }
    if (!again) this.progress.done++;
    if (failed) this.progress.failed++;
  }

  /** JOB_READY's fields (arrived: its c, wait: its d), or a TASK_END's that makes its job ready. */
  private jobReady(jobId: number, status: number, arrived: number, wait: number, t: number): void {
    const store = this.store;
    if (store.jobs.setReady(jobId, t, JOB_STATUS[status])) {
      if (arrived === 1) store.jobs.setResultIn(jobId, t);
      store.jobChanged(jobId);
    }
    store.touch(t);
    if (wait > 0) this.endWait(wait, t, status === TaskStatus.ok ? WaitOutcome.ok : WaitOutcome.error);
  }

  private site(text: string | undefined): Site | undefined {
    if (text === undefined) return undefined;
    let site = this.sites.get(text);
    if (site === undefined && !this.sites.has(text)) this.sites.set(text, (site = parseSite(text)));
    return site;
  }

  private pool(r: RawRecord, t: number, strs: StringTable): void {
    const store = this.store;
    if (r.b === PoolAction.created) {
      const info: PoolInfo = {
        id: r.a,
        kind: (r.text ?? 'ThreadPool') as PoolKind,
        size: r.d,
        site: this.site(str(strs, r.c)),
        created: t,
        respawns: 0,
        initializer: str(strs, r.e),
        initializerSite: this.site(str(strs, r.f)),
      };
      store.pools.set(r.a, info);
    }
    const pool = store.pools.get(r.a);
    if (pool) {
      if (r.b === PoolAction.close) pool.closed = t;
      else if (r.b === PoolAction.terminate) pool.terminated = t;
      else if (r.b === PoolAction.shutdown) pool.shutdown = t;
      else if (r.b === PoolAction.broken) pool.broken = { ts: t, cause: r.text ?? '' };
      else if (r.b === PoolAction.handlerDied) pool.handlerDied = { ts: t, error: r.text ?? '' };
      else if (r.b === PoolAction.respawn) pool.respawns++;
    }
    // A result handler's death is drawn on its Callback lane: the lane it was written on when that
    // is one (a Python pool's own result-handler thread), else the run's one Callback lane.
    const onCallbackLane = store.laneById(r.lane)?.kind === 'callback';
    const lane = r.b === PoolAction.respawn ? r.d : r.b === PoolAction.handlerDied && !onCallbackLane ? 1 : r.lane;
    store.addMark(withText({ lane, ts: t, kind: POOL_MARKS[r.b], pool: r.a }, r.text));
  }

  /** `api`, `site`, `fnSite`: str ids. */
  private job(id: number, pool: number, api: number, site: number, fnSite: number, t: number, strs: StringTable): void {
    this.store.jobs.add(id, pool, str(strs, api) ?? '', this.site(str(strs, site)), this.site(str(strs, fnSite)), t);
    this.store.jobChanged(id);
  }

  /** `name`: str id of the task function's export name; `args`: its arguments preview. */
  private submit(taskId: number, jobId: number, name: number, t: number, args: string | undefined, strs: StringTable): void {
    this.progress.issued++;
    const store = this.store;
    if (store.jobs.addTask(jobId, taskId)) store.jobChanged(jobId);
    this.submits.set(taskId, jobId, t, store.intern(str(strs, name)), store.intern(args));
    const i = this.taskSpans.get(taskId);
    if (i >= 0) this.fillTask(i, taskId);
  }

  /**
   * A queued task cancelled or dropped before any worker took it: a span of no length where it
   * was dropped, on its pool's first worker lane, so its queue time still shows and the table
   * lists it. A task that had started keeps its span.
   */
  private taskDropped(taskId: number, droppedBy: number, t: number): void {
    if (!this.submits.has(taskId) || this.taskSpans.get(taskId) >= 0) return;
    const pool = this.store.jobs.poolOf(this.submits.job[taskId]);
    const lane = this.store.lanes.find((l) => l.kind === 'worker' && l.pool === pool)?.id ?? droppedBy;
    this.addTask(taskId, lane, 'cancelled', t);
  }

  private addTask(taskId: number, lane: number, status: 'running' | 'cancelled', t: number): void {
    const i = this.store.addRow(lane, 'task', status, t);
    this.store.col.taskId[i] = taskId;
    this.taskSpans.set(taskId, i);
    if (this.submits.has(taskId)) this.fillTask(i, taskId);
    if (status !== 'running') return;
    this.laneTasks.set(lane, i);
    const lost = this.lostUnstarted.size > 0 ? this.lostUnstarted.get(taskId) : undefined;
    if (lost) {
      this.lostUnstarted.delete(taskId);
      this.loseTask(taskId, lost.t, lost.text);
    }
  }

  /**
   * The worker running task `taskId` died: the task ends lost where the worker died (or, if it
   * had ended already, its result never came back: it is amended to lost). Told twice (WORKER
   * died and TASK_END lost), the first wins.
   */
  private loseTask(taskId: number, t: number, text: string | undefined): void {
    const store = this.store;
    const i = this.taskSpans.get(taskId);
    if (i < 0) {
      if (!this.lostUnstarted.has(taskId)) this.lostUnstarted.set(taskId, { t, text });
      return;
    }
    const status = store.status(i);
    if (status === 'lost' || status === 'cancelled') return;
    if (status === 'running') this.progress.done++;
    if (status !== 'error') this.progress.failed++;
    store.endSpan(i, status === 'running' ? Math.max(t, store.col.start[i]) : store.col.end[i], 'lost', text);
  }

  /** The pool of a worker lane, for a mark on it; -1 until its LANE record arrives. */
  private poolOfLane(id: number): number {
    const lane = this.store.laneById(id);
    if (!lane) this.marksBeforeLane.add(id);
    return lane?.pool ?? -1;
  }

  private worker(r: RawRecord, t: number): void {
    const store = this.store;
    const lane = store.laneById(r.lane);
    const mark: Mark = { lane: r.lane, ts: t, kind: 'worker-exit', pool: this.poolOfLane(r.lane) };
    if (r.a === WorkerAction.start) {
      mark.kind = 'worker-start';
      mark.pid = r.b;
      if (r.c === 1) mark.replaces = true;
      this.pids.set(r.lane, r.b);
      if (lane) store.setLanePid(lane.id, r.b);
    } else if (r.a === WorkerAction.died) {
      mark.kind = 'worker-died';
      if (r.b >= 0) mark.exitCode = r.b;
      if (r.c > 0) mark.signal = SIGNAL_NAMES.get(r.c) ?? `signal ${r.c}`;
      // The task it was running: as the record names it, else the one still running on its lane.
      let task = r.d;
      if (task <= 0) {
        const i = this.laneTasks.get(r.lane);
        task = i >= 0 && store.status(i) === 'running' && store.col.start[i] <= t ? store.col.taskId[i] : 0;
      }
      if (task > 0) {
        mark.task = task;
        if (this.keeps(task)) this.loseTask(task, t, r.text);
        // Counted once: a TASK_END lost for it, read before, ended it already (as loseTask keeps the first).
        else if (store.notKept.running(r.lane)) this.notKeptEnd(r.lane, t, TaskStatus.lost);
      }
    }
    store.addMark(withText(mark, r.text));
  }

  /** Writes what the task's submit and job say into its span. */
  private fillTask(i: number, taskId: number): void {
    const store = this.store;
    const sub = this.submits;
    const job = sub.job[taskId];
    store.col.queued[i] = sub.queued[taskId];
    store.col.job[i] = job;
    store.col.name[i] = sub.name[taskId];
    store.col.args[i] = sub.args[taskId];
    const api = store.jobs.apiOf(job);
    if (api !== undefined) {
      store.col.api[i] = store.intern(api);
      store.col.site[i] = this.siteId(store.jobs.siteOf(job));
    }
    store.amended(i);
  }

  private siteId(site: Site | undefined): number {
    if (!site) return 0;
    let id = this.siteIds.get(site);
    if (id === undefined) this.siteIds.set(site, (id = this.store.intern(formatSite(site))));
    return id;
  }

  private waitStart(r: RawRecord, t: number, strs: StringTable): void {
    const store = this.store;
    const i = store.addRow(r.lane, 'wait', 'running', t);
    store.col.name[i] = store.intern(str(strs, r.b) ?? 'wait');
    store.col.job[i] = r.d;
    store.col.site[i] = store.intern(str(strs, r.c));
    if (r.e >= 0) store.col.text[i] = store.intern(`timeout ${r.e} ms`);
    this.waitSpans.set(r.a, i);
  }

  /** `outcome`: a WaitOutcome. A wait ends once: a second end of it is ignored. */
  private endWait(id: number, t: number, outcome: number): void {
    const i = this.waitSpans.get(id);
    if (i < 0) return;
    this.waitSpans.delete(id);
    this.store.endSpan(i, t, WAIT_STATUS[outcome] ?? 'error');
  }

  private callbackStart(r: RawRecord, t: number, strs: StringTable): void {
    const kind = CALLBACK_KINDS[r.b];
    const name = str(strs, r.c) ?? '<anonymous>';
    const reg = this.store.jobs.callbacksOf(r.a).find((c) => c.kind === kind && c.name === name)?.registeredAt;
    const i = this.store.addSpan({
      lane: r.lane,
      kind: 'callback',
      status: 'running',
      name,
      start: t,
      job: r.a,
      taskId: r.e > 0 ? r.e : -1,
      cbKind: kind,
      site: str(strs, r.d),
      site2: reg && formatSite(reg),
    });
    let stack = this.callbackStacks.get(r.lane);
    if (!stack) this.callbackStacks.set(r.lane, (stack = []));
    stack.push(i);
  }

  private init(r: RawRecord, t: number, strs: StringTable): void {
    if (r.b === -1) {
      const pool = this.store.pools.get(r.a);
      const site = pool?.initializerSite;
      this.initSpans.set(
        r.lane,
        this.store.addSpan({ lane: r.lane, kind: 'init', status: 'running', name: str(strs, r.c) ?? pool?.initializer ?? 'initializer', start: t, site: site && formatSite(site) }),
      );
      return;
    }
    const i = this.initSpans.get(r.lane);
    if (i === undefined) return;
    this.initSpans.delete(r.lane);
    this.store.endSpan(i, t, r.b === TaskStatus.ok ? 'ok' : 'error', r.text);
  }

  /** The run is over: spans still open end at the trace end, marked as never finished. */
  finish(endTs: number): void {
    this.store.touch(endTs - this.origin);
    this.store.notKept.finish(this.store.end);
    this.store.closeOpenSpans();
  }
}
