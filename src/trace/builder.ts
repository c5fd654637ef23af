// Turns the raw records of every thread's ring into the trace store: spans from start/end
// pairs, jobs, pools, marks and printed lines. Rings are drained one after another, so a
// worker's TASK_START may arrive before main's TASK_SUBMIT of the same task; both orders work.
import type { LaneKind, LogLine, MarkKind, PoolInfo, PoolKind, Site } from './model';
import { formatSite, parseSite } from './model';
import { CallbackStatus, MainStatus, PoolAction, Rec, TaskStatus, WaitOutcome, WorkerAction, type RawRecord } from './records';
import { CALLBACK_KINDS } from './spanColumns';
import type { TraceStore } from './store';

const LANE_KINDS: LaneKind[] = ['main', 'callback', 'worker'];
const JOB_STATUS = ['ok', 'error', 'cancelled'] as const;
const POOL_MARKS: Record<number, MarkKind> = {
  [PoolAction.created]: 'pool-created',
  [PoolAction.close]: 'close',
  [PoolAction.terminate]: 'terminate',
  [PoolAction.shutdown]: 'shutdown',
  [PoolAction.broken]: 'broken',
  [PoolAction.handlerDied]: 'handler-died',
  [PoolAction.respawn]: 'respawn',
};

interface Submit {
  job: number;
  name: string;
  ts: number;
  args?: string;
}

export interface Progress {
  issued: number;
  done: number;
  failed: number;
}

/** One ring's interned strings. */
export type StringTable = string[];

const str = (strs: StringTable, id: number): string | undefined => (id >= 0 ? strs[id] : undefined);

export class TraceBuilder {
  readonly progress: Progress = { issued: 0, done: 0, failed: 0 };
  /** Printed lines taken in since the last call of takeLogs. */
  private logs: LogLine[] = [];
  private readonly submits = new Map<number, Submit>();
  /** span index + 1 by task id (ids are dense, from 1); 0 where the task has not started */
  private taskSpans = new Int32Array(1024);
  private readonly callbackStacks = new Map<number, number[]>();
  private readonly waitSpans = new Map<number, number>();
  private readonly initSpans = new Map<number, number>();

  constructor(
    readonly store: TraceStore,
    /** the run's origin on the shared clock, µs */
    private readonly origin: number,
  ) {}

  takeLogs(): LogLine[] {
    const l = this.logs;
    this.logs = [];
    return l;
  }

  /** Sites are interned strings; each is parsed once. */
  private readonly sites = new Map<string, Site | undefined>();

  private site(text: string | undefined): Site | undefined {
    if (text === undefined) return undefined;
    if (!this.sites.has(text)) this.sites.set(text, parseSite(text));
    return this.sites.get(text);
  }

  consume(r: RawRecord, strs: StringTable): void {
    const t = r.ts - this.origin;
    const store = this.store;
    switch (r.type) {
      case Rec.STR:
        strs[r.a] = r.text ?? '';
        return;
      case Rec.LANE:
        store.addLane({ id: r.a, name: r.text ?? `lane ${r.a}`, kind: LANE_KINDS[r.b], pool: r.c });
        return;
      case Rec.POOL:
        this.pool(r, t, strs);
        return;
      case Rec.JOB:
        store.jobs.set(r.a, {
          id: r.a,
          pool: r.b,
          api: str(strs, r.c) ?? '',
          site: this.site(str(strs, r.d)),
          fnSite: this.site(str(strs, r.f)),
          submitted: t,
          tasks: [],
          callbacks: [],
          status: 'pending',
          retrieved: false,
        });
        return;
      case Rec.CB_REG:
        store.jobs.get(r.a)?.callbacks.push({ kind: CALLBACK_KINDS[r.b], name: str(strs, r.c) ?? '<anonymous>', site: this.site(str(strs, r.d)), registeredAt: this.site(str(strs, r.e)) });
        return;
      case Rec.TASK_SUBMIT:
        this.submit(r.a, { job: r.b, name: str(strs, r.c) ?? '', ts: t, args: r.text });
        return;
      case Rec.TASK_START:
        this.taskStart(r.a, r.lane, t);
        return;
      case Rec.TASK_END: {
        const i = this.taskSpan(r.a);
        if (i < 0) return;
        // A second end amends the first: the result turned out not to be sendable.
        const again = store.status(i) !== 'running';
        const failed = r.b === TaskStatus.error;
        store.update(i, { end: again ? store.endCol[i] : t, status: failed ? 'error' : 'ok', text: r.text });
        if (!again) this.progress.done++;
        if (failed) this.progress.failed++;
        return;
      }
      case Rec.TASK_DROP:
        this.progress.done++;
        this.taskDropped(r.a, r.lane, t);
        return;
      case Rec.RESULT_IN: {
        const job = store.jobs.get(r.a);
        if (job) job.resultIn = t;
        store.touch(t);
        return;
      }
      case Rec.JOB_READY: {
        const job = store.jobs.get(r.a);
        if (job) {
          job.readyAt = t;
          job.status = JOB_STATUS[r.b];
          if (r.c === 1) job.resultIn = t;
        }
        store.touch(t);
        return;
      }
      case Rec.RETRIEVED: {
        const job = store.jobs.get(r.a);
        if (job) job.retrieved = true;
        return;
      }
      case Rec.CB_START:
        this.callbackStart(r, t, strs);
        return;
      case Rec.CB_END: {
        const i = this.callbackStacks.get(r.lane)?.pop();
        if (i !== undefined) store.update(i, { end: t, status: r.b === CallbackStatus.threw ? 'threw' : 'ok', text: r.text });
        return;
      }
      case Rec.WAIT_START:
        this.waitSpans.set(
          r.a,
          store.addSpan({ lane: r.lane, kind: 'wait', status: 'running', name: str(strs, r.b) ?? 'wait', start: t, job: r.d, site: str(strs, r.c), text: r.e >= 0 ? `timeout ${r.e} ms` : undefined }),
        );
        return;
      case Rec.WAIT_END: {
        const i = this.waitSpans.get(r.a);
        if (i === undefined) return;
        this.waitSpans.delete(r.a);
        store.update(i, { end: t, status: r.b === WaitOutcome.ok ? 'ok' : r.b === WaitOutcome.timeout ? 'timeout' : 'error' });
        return;
      }
      case Rec.LOG: {
        const line: LogLine = { lane: r.lane, ts: t, stream: r.a === 2 ? 'stderr' : 'stdout', text: r.text ?? '' };
        store.addLog(line);
        this.logs.push(line);
        return;
      }
      case Rec.INIT:
        this.init(r, t, strs);
        return;
      case Rec.WORKER:
        store.addMark({ lane: r.lane, ts: t, kind: r.a === WorkerAction.start ? 'worker-start' : 'worker-exit', pool: store.laneById(r.lane)?.pool ?? -1 });
        return;
      case Rec.DEADLOCK:
        store.meta.deadlock = { ts: t, site: this.site(str(strs, r.c)), job: r.b, reason: r.text ?? '' };
        store.addMark({ lane: r.lane, ts: t, kind: 'deadlock', pool: -1, text: r.text });
        return;
      case Rec.MAIN_END:
        store.addMark({ lane: r.lane, ts: t, kind: r.a === MainStatus.returned ? 'main-returned' : 'main-threw', pool: -1, text: r.text });
        if (r.a === MainStatus.threw) store.meta.error = r.text;
        return;
    }
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
    const lane = r.b === PoolAction.respawn ? r.d : r.b === PoolAction.handlerDied ? 1 : r.lane;
    store.addMark({ lane, ts: t, kind: POOL_MARKS[r.b], pool: r.a, text: r.text });
  }

  private submit(taskId: number, sub: Submit): void {
    this.progress.issued++;
    const job = this.store.jobs.get(sub.job);
    job?.tasks.push(taskId);
    const i = this.taskSpan(taskId);
    if (i >= 0) this.fillTask(i, sub);
    else this.submits.set(taskId, sub);
  }

  private taskSpan(taskId: number): number {
    return taskId < this.taskSpans.length ? this.taskSpans[taskId] - 1 : -1;
  }

  private taskStart(taskId: number, lane: number, t: number): void {
    this.addTask(taskId, lane, 'running', t);
  }

  /**
   * A queued task cancelled or dropped before any worker took it: a span of no length where it
   * was dropped, on its pool's first worker lane, so its queue time still shows and the table
   * lists it. A task that had started keeps its span.
   */
  private taskDropped(taskId: number, droppedBy: number, t: number): void {
    const sub = this.submits.get(taskId);
    if (!sub || this.taskSpan(taskId) >= 0) return;
    const pool = this.store.jobs.get(sub.job)?.pool;
    const lane = this.store.lanes.find((l) => l.kind === 'worker' && l.pool === pool)?.id ?? droppedBy;
    this.addTask(taskId, lane, 'cancelled', t);
  }

  private addTask(taskId: number, lane: number, status: 'running' | 'cancelled', t: number): void {
    const sub = this.submits.get(taskId);
    const i = this.store.addSpan({ lane, kind: 'task', status, name: sub?.name ?? '', start: t, taskId });
    if (taskId >= this.taskSpans.length) {
      const grown = new Int32Array(Math.max(taskId + 1, this.taskSpans.length * 2));
      grown.set(this.taskSpans);
      this.taskSpans = grown;
    }
    this.taskSpans[taskId] = i + 1;
    if (sub) {
      this.submits.delete(taskId);
      this.fillTask(i, sub);
    }
  }

  /** Each site's text, formatted once: a batch of 100k tasks from one line interns one string. */
  private readonly siteTexts = new Map<Site, string>();

  private fillTask(i: number, sub: Submit): void {
    const job = this.store.jobs.get(sub.job);
    const site = job?.site;
    let siteText: string | undefined;
    if (site) {
      siteText = this.siteTexts.get(site);
      if (siteText === undefined) this.siteTexts.set(site, (siteText = formatSite(site)));
    }
    this.store.update(i, { queued: sub.ts, job: sub.job, api: job?.api, site: siteText, args: sub.args });
    if (this.store.str(this.store.nameCol[i]) === '') this.store.nameCol[i] = this.store.intern(sub.name);
  }

  private callbackStart(r: RawRecord, t: number, strs: StringTable): void {
    const kind = CALLBACK_KINDS[r.b];
    const name = str(strs, r.c) ?? '<anonymous>';
    const reg = this.store.jobs.get(r.a)?.callbacks.find((c) => c.kind === kind && c.name === name)?.registeredAt;
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
    this.store.update(i, { end: t, status: r.b === TaskStatus.ok ? 'ok' : 'error', text: r.text });
  }

  /** The run is over: spans still open end at the trace end, marked as never finished. */
  finish(endTs: number): void {
    this.store.touch(endTs - this.origin);
    this.store.closeOpenSpans();
  }
}
