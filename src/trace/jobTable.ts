// The store's jobs as columns, one typed array per field, as spans are kept: a run of a million
// jobs costs tens of megabytes instead of a million objects, their task lists and a Map entry each.
// It reads as a Map<number, Job> (get, has, size, keys, values): each Job it hands out is made
// from its row, so a change to a job goes back through set or the builder's own writers.
import type { CallbackReg, Job, JobStatus, Site } from './model';
import { formatSite } from './model';
import { grownTo } from './spanColumns';

const JOB_STATUSES: readonly JobStatus[] = ['pending', 'ok', 'error', 'cancelled'];
const STATUS_CODES = new Map(JOB_STATUSES.map((s, i) => [s, i]));
/** `task` column: a job without tasks, or one whose tasks are in `taskLists`. */
const NO_TASK = -0x80000000;
const TASK_LIST = -0x7fffffff;
const NONE: readonly never[] = Object.freeze([]);

/** Values kept once, by id (0: none), for columns that name them. */
class Interned<T> {
  readonly items: (T | undefined)[] = [undefined];
  private readonly ids = new Map<string, number>();
  /**
   * The last two values asked for and their ids: the builder hands every job of one line the same
   * Site objects (its site and its function's), which then need no key.
   */
  private readonly recent: [T | undefined, number, T | undefined, number] = [undefined, 0, undefined, 0];
  private next = 0;

  constructor(private readonly key: (v: T) => string) {}

  id(v: T | undefined): number {
    if (v === undefined) return 0;
    const r = this.recent;
    if (r[0] === v) return r[1];
    if (r[2] === v) return r[3];
    const k = this.key(v);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.items.length;
      this.items.push(v);
      this.ids.set(k, id);
    }
    r[this.next] = v;
    r[this.next + 1] = id;
    this.next = 2 - this.next;
    return id;
  }
}

export class JobTable {
  private n = 0;
  private id = new Int32Array(0);
  private pool = new Int32Array(0);
  private api = new Uint32Array(0);
  private site = new Uint32Array(0);
  private fnSite = new Uint32Array(0);
  private submitted = new Float64Array(0);
  /** the job's one task id, NO_TASK or TASK_LIST */
  private task = new Int32Array(0);
  /** NaN: not yet */
  private resultIn = new Float64Array(0);
  private readyAt = new Float64Array(0);
  private status = new Uint8Array(0);
  private retrieved = new Uint8Array(0);
  /** by row: the tasks of a job with more than one (or one past the task column's range) */
  private readonly taskLists = new Map<number, number[]>();
  /** by row: a job's callbacks; most jobs register none */
  private readonly callbackLists = new Map<number, readonly CallbackReg[]>();
  private readonly apis = new Interned<string>((s) => s);
  private readonly sites = new Interned<Site>(formatSite);
  /**
   * Rows by id. A run's job ids count up from its first, one row each, so while they do a row is
   * found by subtraction; ids that do not (an imported file's, a test's) are looked up in `rows`.
   */
  private firstId = 0;
  private dense = true;
  private readonly rows = new Map<number, number>();

  get size(): number {
    return this.n;
  }

  /** Job id's row in the columns, or -1. */
  rowOf(id: number): number {
    if (this.dense) {
      const row = id - this.firstId;
      return row >= 0 && row < this.n ? row : -1;
    }
    return this.rows.get(id) ?? -1;
  }

  has(id: number): boolean {
    return this.rowOf(id) >= 0;
  }

  get(id: number): Job | undefined {
    const row = this.rowOf(id);
    return row < 0 ? undefined : this.jobAt(row);
  }

  /** Adds job `id`, or replaces it where it stands (as a Map's set does). */
  set(id: number, job: Job): this {
    let row = this.rowOf(id);
    if (row < 0) row = this.addRow(id);
    this.pool[row] = job.pool;
    this.api[row] = this.apis.id(job.api);
    this.site[row] = this.sites.id(job.site);
    this.fnSite[row] = this.sites.id(job.fnSite);
    this.submitted[row] = job.submitted;
    this.task[row] = NO_TASK;
    this.taskLists.delete(row);
    for (const t of job.tasks) this.appendTask(row, t);
    if (job.callbacks.length > 0) this.callbackLists.set(row, [...job.callbacks]);
    else this.callbackLists.delete(row);
    this.resultIn[row] = job.resultIn ?? NaN;
    this.readyAt[row] = job.readyAt ?? NaN;
    this.status[row] = STATUS_CODES.get(job.status)!;
    this.retrieved[row] = job.retrieved ? 1 : 0;
    return this;
  }

  *keys(): IterableIterator<number> {
    for (let row = 0; row < this.n; row++) yield this.id[row];
  }

  /** In the order they were added. */
  *values(): IterableIterator<Job> {
    for (let row = 0; row < this.n; row++) yield this.jobAt(row);
  }

  /**
   * The columns a view (or a rule over every job) reads, as views of the table's own arrays (rows in
   * the order added), so a big run's jobs are read without a copy or a Job each: `api` holds ids
   * into `apiNames` (0: none); NaN in `resultIn` and `readyAt`: not yet.
   */
  viewColumns(): {
    n: number;
    id: Int32Array;
    api: Uint32Array;
    apiNames: readonly (string | undefined)[];
    submitted: Float64Array;
    resultIn: Float64Array;
    readyAt: Float64Array;
  } {
    const n = this.n;
    return {
      n,
      id: this.id.subarray(0, n),
      api: this.api.subarray(0, n),
      apiNames: this.apis.items,
      submitted: this.submitted.subarray(0, n),
      resultIn: this.resultIn.subarray(0, n),
      readyAt: this.readyAt.subarray(0, n),
    };
  }

  /** Each job's id, pool and status, in the order added, read from the columns: no Job is made. */
  forEachPoolStatus(fn: (id: number, pool: number, status: JobStatus) => void): void {
    for (let row = 0; row < this.n; row++) fn(this.id[row], this.pool[row], JOB_STATUSES[this.status[row]]);
  }

  /** A new job as the builder takes it in: pending, without tasks or callbacks. */
  add(id: number, pool: number, api: string, site: Site | undefined, fnSite: Site | undefined, submitted: number): void {
    this.set(id, { id, pool, api, site, fnSite, submitted, tasks: NONE, callbacks: NONE, status: 'pending', retrieved: false });
  }

  poolOf(id: number): number | undefined {
    const row = this.rowOf(id);
    return row < 0 ? undefined : this.pool[row];
  }

  apiOf(id: number): string | undefined {
    const row = this.rowOf(id);
    return row < 0 ? undefined : this.apis.items[this.api[row]];
  }

  siteOf(id: number): Site | undefined {
    const row = this.rowOf(id);
    return row < 0 ? undefined : this.sites.items[this.site[row]];
  }

  callbacksOf(id: number): readonly CallbackReg[] {
    const row = this.rowOf(id);
    return (row >= 0 && this.callbackLists.get(row)) || NONE;
  }

  /** The writers below change job `id` in place and say whether there was one. */
  addTask(id: number, taskId: number): boolean {
    const row = this.rowOf(id);
    if (row >= 0) this.appendTask(row, taskId);
    return row >= 0;
  }

  addCallback(id: number, reg: CallbackReg): boolean {
    const row = this.rowOf(id);
    if (row >= 0) this.callbackLists.set(row, [...(this.callbackLists.get(row) ?? NONE), reg]);
    return row >= 0;
  }

  setResultIn(id: number, t: number): boolean {
    const row = this.rowOf(id);
    if (row >= 0) this.resultIn[row] = t;
    return row >= 0;
  }

  setReady(id: number, t: number, status: JobStatus): boolean {
    const row = this.rowOf(id);
    if (row < 0) return false;
    this.readyAt[row] = t;
    this.status[row] = STATUS_CODES.get(status)!;
    return true;
  }

  /** Marks job `id` retrieved; false when there is no such job or it was already. */
  setRetrieved(id: number): boolean {
    const row = this.rowOf(id);
    if (row < 0 || this.retrieved[row] === 1) return false;
    this.retrieved[row] = 1;
    return true;
  }

  /** Every job has every field, unset ones undefined, in one order: the builder's, which a saved file keeps. */
  private jobAt(row: number): Job {
    const t = this.task[row];
    const resultIn = this.resultIn[row];
    const readyAt = this.readyAt[row];
    return {
      id: this.id[row],
      pool: this.pool[row],
      api: this.apis.items[this.api[row]]!,
      site: this.sites.items[this.site[row]],
      fnSite: this.sites.items[this.fnSite[row]],
      submitted: this.submitted[row],
      tasks: t === NO_TASK ? NONE : t === TASK_LIST ? this.taskLists.get(row)! : [t],
      callbacks: this.callbackLists.get(row) ?? NONE,
      resultIn: Number.isNaN(resultIn) ? undefined : resultIn,
      readyAt: Number.isNaN(readyAt) ? undefined : readyAt,
      status: JOB_STATUSES[this.status[row]],
      retrieved: this.retrieved[row] === 1,
    };
  }

  private appendTask(row: number, taskId: number): void {
    const t = this.task[row];
    if (t === TASK_LIST) this.taskLists.get(row)!.push(taskId);
    else if (t === NO_TASK && (taskId | 0) === taskId && taskId !== NO_TASK && taskId !== TASK_LIST) this.task[row] = taskId;
    else {
      this.taskLists.set(row, t === NO_TASK ? [taskId] : [t, taskId]);
      this.task[row] = TASK_LIST;
    }
  }

  private addRow(id: number): number {
    if (this.n === 0) this.firstId = id;
    else if (this.dense && id !== this.firstId + this.n) {
      this.dense = false;
      for (let row = 0; row < this.n; row++) this.rows.set(this.id[row], row);
    }
    if (this.n === this.id.length) this.grow();
    const row = this.n++;
    this.id[row] = id;
    if (!this.dense) this.rows.set(id, row);
    return row;
  }

  private grow(): void {
    const cap = Math.max(1024, this.n * 2);
    this.id = grownTo(this.id, cap);
    this.pool = grownTo(this.pool, cap);
    this.api = grownTo(this.api, cap);
    this.site = grownTo(this.site, cap);
    this.fnSite = grownTo(this.fnSite, cap);
    this.submitted = grownTo(this.submitted, cap);
    this.task = grownTo(this.task, cap);
    this.resultIn = grownTo(this.resultIn, cap);
    this.readyAt = grownTo(this.readyAt, cap);
    this.status = grownTo(this.status, cap);
    this.retrieved = grownTo(this.retrieved, cap);
  }
}
