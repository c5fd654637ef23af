// The raw records every thread writes into its own event ring (see runtime/record/eventRing.ts).
// A record is: type, lane, ts (µs on the run's one clock), six int fields a..f and an optional
// text. Repeated strings (function names, source sites) are interned per ring with STR records
// and referenced by id; one-off text (previews, printed lines, stacks) rides inline.
import type { CallbackKindName, LaneKind } from './model';

// Field meanings, per type (ids are run-wide unless said otherwise, and job, task and wait ids
// count up from 1; "str" = interned string id, -1 = none):
export const Rec = {
  /** a=str id (per ring), text=the string */
  STR: 1,
  /** a=lane id, b=LaneKindCode, c=pool id (-1 for Main/Callback), text=lane name */
  LANE: 2,
  /**
   * a=pool id, b=PoolAction, c=str call site. created: d=size, e=str initializer name,
   * f=str initializer definition site, text=pool kind (ThreadPool, Pool, ThreadPoolExecutor, ProcessPoolExecutor). respawn: d=lane. broken, handlerDied: text=cause.
   */
  POOL: 3,
  /** a=job id, b=pool id, c=str api name, d=str call site, e=task count, f=str task function definition site */
  JOB: 4,
  /** a=job id, b=CallbackKind, c=str callback name, d=str definition site, e=str registration site */
  CB_REG: 5,
  /** a=task id, b=job id, c=str task function export name, d=index in job; text=arguments preview */
  TASK_SUBMIT: 6,
  /** a=task id (on the worker lane that runs it) */
  TASK_START: 7,
  /**
   * a=task id, b=TaskStatus, e=CPU time the task took on its own thread, µs (-1 unknown: Node has
   * no per-thread CPU clock; Python's tracer reads its thread's clock around the task, except around
   * a task of under 50 µs within 1 ms of its last reading, which it credits with its wall time and
   * the next task it reads with the rest: a thread's tasks add up to its CPU time), f=the time
   * that thread was runnable but waiting for a CPU meanwhile, µs (Linux's schedstat run delay; -1
   * unknown, and for tasks of under 1 ms of CPU, whose wait the next task that reports one
   * includes; read only when e is known); text=result or error preview. b=lost: the worker died while running it (written on the dead
   * worker's lane by whoever saw the death); text=how it died. c=id of the job this end makes ready at the same moment (0: none),
   * as JOB_READY a=c, b=b, c=1 would say: a ThreadPoolExecutor's worker sets its future right after the task (one record, not two).
   */
  TASK_END: 8,
  /** a=task id, b=TaskStatus (cancelled): a queued task dropped without running */
  TASK_DROP: 9,
  /** a=job id, b=task id: main took that task's outcome in (its event loop got to it) */
  RESULT_IN: 10,
  /**
   * a=job id, b=TaskStatus: the job became ready (after its callbacks). c=1: its last outcome came
   * in at this moment, with nothing to run first, and has no RESULT_IN of its own (one record, not two).
   * d=id of the wait this readiness ends (0: none), which then has no WAIT_END of its own: it ends
   * here, ok when b is ok and error otherwise (a WAIT_END for it arriving anyway is ignored).
   */
  JOB_READY: 11,
  /** a=job id, b=CallbackKind, c=str callback name, d=str definition site, e=task id whose outcome it gets (0: the job's) */
  CB_START: 12,
  /** a=job id, b=CallbackStatus; text=error and stack when it threw */
  CB_END: 13,
  /** a=wait id, b=str what (get, wait, join, result, sleep...), c=str site, d=job id or -1, e=timeout ms or -1 */
  WAIT_START: 14,
  /** a=wait id, b=WaitOutcome */
  WAIT_END: 15,
  /** a=job id: the job's error reached user code (get/result/exception/error callback) */
  RETRIEVED: 16,
  /** a=stream (1 stdout, 2 stderr); text=the printed line */
  LOG: 17,
  /** a=pool id, b=Status (running start when b=-1); text=error when it threw */
  INIT: 18,
  /**
   * a=WorkerAction. start: b=pid of the process behind the lane (the run's own pid for a thread),
   * c=1 when it replaces a worker that ended (respawn, maxtasksperchild, crash). exit: the worker
   * ended as its pool asked (close, terminate, maxtasksperchild); text=what else ended with it, when
   * a task left something running that would have kept it alive (e.g. 'a Timeout'). died: it ended unasked;
   * b=exit code (-1 unknown), c=signal number (0 none), d=task id it was running (0 none),
   * text=why, for people (e.g. 'killed by SIGKILL', 'ran out of memory', an uncaught error's stack).
   */
  WORKER: 19,
  /** a=wait id, b=job id, c=str site of the wait; text=why it can never return */
  DEADLOCK: 20,
  /** a=MainStatus; text=error and stack when main threw */
  MAIN_END: 21,
  /**
   * A job of exactly one task, issued: JOB and TASK_SUBMIT in one record, as most jobs are.
   * a=job id, b=task id, c=packPoolApi(pool id, str api name),
   * d=str call site, e=str task function export name, f=str task function definition site;
   * text=arguments preview. Pools from TASK_JOB_POOLS on use JOB + TASK_SUBMIT.
   */
  TASK_JOB: 22,
  /**
   * A promise rejection nobody handled, in a worker (or main). a=task id running on that lane
   * when it was seen, else the one that ran last there (a rejection surfaces once its task's
   * synchronous part is over), 0 none; text=the reason's stack.
   */
  UNHANDLED: 23,
  /**
   * A timer or thread a task made, still running as its worker ended (the pool ended it with the
   * worker). a=task id that ran last on that lane when it was made, 0 none; text=what it is, then
   * the stack that made it.
   */
  LEFT_RUNNING: 24,
  /**
   * A value sent between threads or processes held an instance of a class, which structured clone
   * turns into a plain object. a=task id; text=which value and what it held ('argument 0 was an
   * instance of Account', 'the result was an instance of Account at .owner'). Once per function,
   * place and class in each thread.
   */
  RESHAPED: 25,
  /**
   * A process's records stop here: the disk of the run folder had no room for more (the Python
   * tracer). What the process did after it is not in the trace, but for how it ended. text=which
   * file, and why.
   */
  RECORDS_STOPPED: 26,
} as const;

/**
 * Records only the host writes, about what no thread or tracer of the run can record. Numbered
 * apart from Rec (the contract the Python tracer shares), so new records on either side never meet.
 */
export const HostRec = {
  /**
   * Main's thread running its own code, as the host sees it from outside (runtime/host/mainActivity.ts:
   * a loop that spins writes nothing itself), on MAIN_LANE. a=MainRun: began at ts (text=where main
   * is defined), still running at ts, or paused (the stretch ended at ts).
   */
  MAIN_RUN: 200,
} as const;

/** TASK_JOB carries pool ids below this, in the low 12 bits of its c. */
export const TASK_JOB_POOLS = 4096;

/** TASK_JOB's c: the pool id in the low 12 bits, the api name's str id (below 2^19, or -1) above. */
export function packPoolApi(pool: number, api: number): number {
  if (pool < 0 || pool >= TASK_JOB_POOLS) throw new RangeError(`pool id ${pool} does not fit a TASK_JOB record`);
  return pool | (api << 12);
}

export function unpackPoolApi(c: number): { pool: number; api: number } {
  return { pool: c & (TASK_JOB_POOLS - 1), api: c >> 12 };
}

export const LaneKindCode = { main: 0, callback: 1, worker: 2 } as const satisfies Record<LaneKind, number>;

export const PoolAction = {
  created: 0,
  close: 1,
  terminate: 2,
  broken: 3,
  handlerDied: 4,
  shutdown: 5,
  respawn: 6,
} as const;

/** TASK_END's e when the task's CPU time was not measured (and f when its wait for a CPU was not). */
export const CPU_UNKNOWN = -1;

export const TaskStatus = { ok: 0, error: 1, cancelled: 2, lost: 3 } as const;
export const CallbackKind = { result: 0, error: 1, done: 2 } as const satisfies Record<CallbackKindName, number>;
export const CallbackStatus = { ok: 0, threw: 1 } as const;
export const WaitOutcome = { ok: 0, timeout: 1, error: 2 } as const;
export const WorkerAction = { start: 0, exit: 1, died: 2 } as const;
export const MainStatus = { returned: 0, threw: 1 } as const;
export const MainRun = { began: 0, still: 1, paused: 2 } as const;

/** One decoded record, as the collector hands it to the trace builder. */
export interface RawRecord {
  type: number;
  lane: number;
  ts: number;
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
  text: string | undefined;
}
