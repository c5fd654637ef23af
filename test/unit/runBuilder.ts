// Builds TraceStores by hand the way the runtime fills them, so the unit tests can model
// whole runs (pools, jobs, tasks on workers, callbacks on the Callback lane, waits on Main)
// without starting threads. Times are given in milliseconds and stored in µs.
import { formatSite, type CallbackKindName, type CallbackReg, type Job, type MarkKind, type PoolInfo, type PoolKind, type Site, type SpanStatus } from '../../src/trace/model';
import { TraceStore } from '../../src/trace/store';

export const FILE = '/home/dev/demo/tasks.ts';
export const MAIN = 0;
export const CALLBACK = 1;
export const ms = (n: number) => n * 1000;
export const at = (line: number, col = 1): Site => ({ file: FILE, line, col });

interface TaskOpts {
  name: string;
  worker: number; // 1-based, as the lane is named
  start: number;
  end: number;
  status?: SpanStatus;
  text?: string;
  queued?: number;
  args?: string;
  /** CPU µs on its thread, as Python's tracer measures it */
  cpu?: number;
  /** µs its thread was runnable but waiting for a CPU meanwhile */
  cpuWait?: number;
}

export class RunBuilder {
  readonly store = new TraceStore({ file: FILE, startedAt: '2026-11-21T05:00:00.000Z', outcome: 'returned' });
  private nextTask = 1;

  constructor(workers = 2, pool = 0) {
    this.store.addLane({ id: MAIN, name: 'Main', kind: 'main', pool: -1 });
    this.store.addLane({ id: CALLBACK, name: 'Callback', kind: 'callback', pool: -1 });
    for (let w = 1; w <= workers; w++) this.store.addLane({ id: CALLBACK + w, name: `Worker ${w}`, kind: 'worker', pool });
  }

  /** Every time field of the pool is given in ms, like the rest. */
  pool(p: Partial<PoolInfo> & { id: number; kind: PoolKind; site: Site }): PoolInfo {
    const info: PoolInfo = { size: 2, respawns: 0, ...p, created: ms(p.created ?? 0) };
    for (const k of ['closed', 'terminated', 'shutdown'] as const) if (p[k] !== undefined) info[k] = ms(p[k]);
    if (p.broken) info.broken = { ...p.broken, ts: ms(p.broken.ts) };
    if (p.handlerDied) info.handlerDied = { ...p.handlerDied, ts: ms(p.handlerDied.ts) };
    this.store.pools.set(info.id, info);
    this.mark('pool-created', MAIN, p.created ?? 0, info.id);
    return info;
  }

  /** Times (submitted, resultIn, readyAt) in ms. */
  job(j: Partial<Job> & { id: number; pool: number; api: string; site: Site; submitted: number }): Job {
    const job: Job = { tasks: [], callbacks: [], status: 'ok', retrieved: true, ...j, submitted: ms(j.submitted) };
    if (j.resultIn !== undefined) job.resultIn = ms(j.resultIn);
    if (j.readyAt !== undefined) job.readyAt = ms(j.readyAt);
    this.store.jobs.set(job.id, job);
    return job;
  }

  /** A task span on a worker lane; returns its span index. */
  task(job: Job, t: TaskOpts): number {
    const taskId = this.nextTask++;
    job.tasks = [...job.tasks, taskId];
    this.store.jobs.set(job.id, job);
    return this.store.addSpan({
      lane: CALLBACK + t.worker,
      kind: 'task',
      status: t.status ?? 'ok',
      name: t.name,
      start: ms(t.start),
      end: ms(t.end),
      queued: t.queued === undefined ? job.submitted : ms(t.queued),
      taskId,
      job: job.id,
      api: job.api,
      site: job.site && formatSite(job.site),
      text: t.text,
      args: t.args,
      cpu: t.cpu,
      cpuWait: t.cpuWait,
    });
  }

  /** Registers a callback on the job (as CB_REG does) and, if it ran, draws its span. */
  callback(
    job: Job,
    c: { kind: CallbackKindName; name: string; site: Site; registeredAt: Site; ran?: { start: number; end: number; status?: SpanStatus; text?: string; lane?: number } },
  ): number | undefined {
    const reg: CallbackReg = { kind: c.kind, name: c.name, site: c.site, registeredAt: c.registeredAt };
    job.callbacks = [...job.callbacks, reg];
    this.store.jobs.set(job.id, job);
    if (!c.ran) return undefined;
    return this.store.addSpan({
      lane: c.ran.lane ?? CALLBACK,
      kind: 'callback',
      status: c.ran.status ?? 'ok',
      name: c.name,
      start: ms(c.ran.start),
      end: ms(c.ran.end),
      job: job.id,
      site: formatSite(c.site),
      site2: formatSite(c.registeredAt),
      text: c.ran.text,
      cbKind: c.kind,
    });
  }

  wait(w: { name: string; site: Site; start: number; end: number; job?: number; status?: SpanStatus; text?: string }): number {
    return this.store.addSpan({
      lane: MAIN,
      kind: 'wait',
      status: w.status ?? 'ok',
      name: w.name,
      start: ms(w.start),
      end: ms(w.end),
      job: w.job ?? -1,
      site: formatSite(w.site),
      text: w.text,
    });
  }

  init(pool: PoolInfo, w: { worker: number; start: number; end: number; status?: SpanStatus; text?: string }): number {
    const site = pool.initializerSite ?? pool.site;
    return this.store.addSpan({
      lane: CALLBACK + w.worker,
      kind: 'init',
      status: w.status ?? 'ok',
      name: pool.initializer ?? 'init',
      start: ms(w.start),
      end: ms(w.end),
      site: site && formatSite(site),
      text: w.text,
    });
  }

  mark(kind: MarkKind, lane: number, t: number, pool = -1, text?: string): void {
    this.store.addMark({ lane, ts: ms(t), kind, pool, ...(text === undefined ? {} : { text }) });
  }

  log(lane: number, t: number, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.store.addLog({ lane, ts: ms(t), text, stream });
  }

  mainReturned(t: number): void {
    this.mark('main-returned', MAIN, t);
  }
}
