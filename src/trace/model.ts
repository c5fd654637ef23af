// What a finished (or still running) trace holds, as its consumers see it: lanes, spans,
// instants, jobs and pools. The TraceStore keeps spans in columns; these are the shapes of
// one row when a consumer asks for it.

/** In the order of their codes in LANE records and columns. */
export const LANE_KINDS = ['main', 'callback', 'worker'] as const;
export type LaneKind = (typeof LANE_KINDS)[number];
export interface Lane {
  id: number;
  name: string; // 'Main', 'Callback', 'Worker 1' ...
  kind: LaneKind;
  pool: number; // -1 for Main and Callback
  /**
   * A worker lane: the pid of the process behind it since its latest worker-start (the run's own
   * pid for a thread). Its earlier processes are in the lane's worker-start marks.
   */
  pid?: number;
}

/**
 * run: main running its own code (neither waiting nor idle), measured from outside its thread,
 * so that a main that spins or prints for seconds shows as busy on its lane.
 */
export type SpanKind = 'task' | 'callback' | 'wait' | 'init' | 'run';
export const SPAN_KINDS: readonly SpanKind[] = ['task', 'callback', 'wait', 'init', 'run'];

/**
 * Status by kind. 'running' means the trace ended before the span did (stopped run,
 * deadlock); its end is then the trace end. 'lost': the worker running the task died, so
 * the task has no outcome; it ends where the worker died.
 *   task:     ok | error | cancelled | lost | running
 *   callback: ok | threw | running
 *   wait:     ok | timeout | error | running
 *   init:     ok | error | running
 *   run:      ok | running
 */
export type SpanStatus = 'ok' | 'error' | 'cancelled' | 'threw' | 'timeout' | 'running' | 'lost';
/** In column-code order: a status added later goes last, so saved codes keep their meaning. */
export const SPAN_STATUSES: readonly SpanStatus[] = ['ok', 'error', 'cancelled', 'threw', 'timeout', 'running', 'lost'];

/** In the order of their codes in callback records and the cbKind column. */
export const CALLBACK_KINDS = ['result', 'error', 'done'] as const;
export type CallbackKindName = (typeof CALLBACK_KINDS)[number];

/** A source location, 1-based line and column, as editors and terminals show them. */
export interface Site {
  file: string;
  line: number;
  col: number;
}

export interface Span {
  index: number;
  lane: number;
  kind: SpanKind;
  status: SpanStatus;
  /** task: export name; callback: function name or '<anonymous>'; wait: what (get, join, sleep...); init: initializer name */
  name: string;
  start: number; // µs from the trace origin
  end: number;
  /** task only: when it was submitted (its queue time is start - queued) */
  queued?: number;
  /** task: its id; an error callback: the task whose error it got; otherwise -1 */
  taskId: number;
  job: number; // the job a task or callback belongs to, or a wait waits on; -1 if none
  /** task: the api that issued it (applyAsync, mapAsync, submit...) */
  api?: string;
  /** task: submit call site; callback: definition site; wait: the waiting line; init: the pool's creation site */
  site?: Site;
  /** callback: where it was registered */
  site2?: Site;
  /** task: result or error preview; callback: the error when it threw; wait: the timeout if any */
  text?: string;
  /** callback only */
  cbKind?: CallbackKindName;
  /** task: arguments preview */
  args?: string;
  /** task: CPU time it took on its own thread, µs, when the run measured it (Python runs do) */
  cpu?: number;
  /** task: how long its thread was runnable but waiting for a CPU meanwhile, µs, when known (Python on Linux) */
  cpuWait?: number;
}

export interface LogLine {
  lane: number;
  ts: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export type MarkKind =
  | 'pool-created'
  | 'close'
  | 'terminate'
  | 'shutdown'
  | 'broken'
  | 'handler-died'
  | 'respawn'
  | 'worker-start'
  | 'worker-exit'
  | 'worker-died'
  | 'unhandled'
  | 'left-running'
  | 'reshaped'
  | 'deadlock'
  | 'main-returned'
  | 'main-threw';
/**
 * A moment on a lane. Worker marks say where one worker (thread or process) of a lane ended and
 * the next began: worker-start (pid; replaces when it took over from one that ended), worker-exit
 * (ended as its pool asked), worker-died (ended unasked: exit code, signal, the task it was
 * running, why in text). unhandled: a promise rejection nobody handled (task, stack in text). left-running: a timer or
 * thread a task made that was still running when its worker ended (task; what and its stack in text).
 * reshaped: a task's argument or result held a class instance, which arrived as a plain object (task; which in text).
 */
export interface Mark {
  lane: number;
  ts: number;
  kind: MarkKind;
  pool: number;
  text?: string;
  /** worker-start: the pid of the process behind the lane from here on */
  pid?: number;
  /** worker-start: it replaces a worker of this lane that ended (respawn, maxtasksperchild, crash) */
  replaces?: boolean;
  /** worker-died: the exit code, when known */
  exitCode?: number;
  /** worker-died: the signal that killed it ('SIGKILL'), when one did */
  signal?: string;
  /** worker-died, unhandled: the task running on the lane then; left-running: the task that made it; reshaped: the task whose value it was */
  task?: number;
}

export interface CallbackReg {
  kind: CallbackKindName;
  name: string;
  site?: Site; // definition
  registeredAt?: Site;
}

export type JobStatus = 'pending' | 'ok' | 'error' | 'cancelled';
export interface Job {
  id: number;
  pool: number;
  api: string;
  site?: Site;
  /** definition site of the task function */
  fnSite?: Site;
  submitted: number;
  /** Read-only because jobs without any share one empty array: assign a new list, never push. */
  tasks: readonly number[]; // task ids
  callbacks: readonly CallbackReg[];
  /** when main's event loop took the outcome in (RESULT_IN) */
  resultIn?: number;
  /** when it became ready (after its callbacks), with its status */
  readyAt?: number;
  status: JobStatus;
  /** whether user code ever looked at its error (get/result/exception/error callback) */
  retrieved: boolean;
}

export const POOL_KINDS = ['ThreadPool', 'Pool', 'ThreadPoolExecutor', 'ProcessPoolExecutor'] as const;
export type PoolKind = (typeof POOL_KINDS)[number];

/** Pool and ProcessPoolExecutor run their tasks in child processes; the other two in threads. */
export function runsInProcesses(kind: PoolKind): boolean {
  return kind === 'Pool' || kind === 'ProcessPoolExecutor';
}

/** Executors hand out futures and end with shutdown(); pools hand out AsyncResults and end with close() and join(). */
export function isExecutor(kind: PoolKind): boolean {
  return kind === 'ThreadPoolExecutor' || kind === 'ProcessPoolExecutor';
}

/** The error a broken executor fails its futures with. */
export function brokenError(kind: PoolKind): string {
  return runsInProcesses(kind) ? 'BrokenProcessPool' : 'BrokenThreadPool';
}

export interface PoolInfo {
  id: number;
  kind: PoolKind;
  size: number;
  site?: Site;
  created: number;
  closed?: number;
  terminated?: number;
  shutdown?: number;
  broken?: { ts: number; cause: string };
  handlerDied?: { ts: number; error: string };
  respawns: number;
  initializer?: string;
  /** definition site of the initializer */
  initializerSite?: Site;
}

export type RunOutcome = 'returned' | 'threw' | 'deadlock' | 'timeout' | 'stopped' | 'crashed' | 'bad-input' | 'running';

export interface DeadlockInfo {
  ts: number;
  site?: Site;
  job: number;
  reason: string;
}

/** The language of the program a trace came from; absent means a JavaScript or TypeScript task file. */
export type TraceLanguage = 'python';

/** The language of a program file, by its name: a `.py` file runs under the Python tracer. */
export function languageOf(file: string): TraceLanguage | undefined {
  return /\.pyw?$/i.test(file) ? 'python' : undefined;
}

export interface TraceMeta {
  file: string;
  /** 'python': a Python program under poolscope's tracer, whose rules read some findings differently */
  language?: TraceLanguage;
  /** wall-clock ISO time of the trace origin */
  startedAt: string;
  outcome: RunOutcome;
  error?: string;
  deadlock?: DeadlockInfo;
  /**
   * Where main was when the run was stopped or ran out of time, if the host looked: its innermost
   * line of the program's own code (a loop it spun in, or the call it was blocked in).
   */
  stoppedAt?: Site;
  /**
   * A process of the run stopped recording (its disk was full), first at `ts`: the trace holds
   * what happened until then, and how the run ended. Rules that read what happened by the end
   * (a pool never closed, an error never looked at) do not judge such a trace.
   */
  recordsStopped?: { ts: number; why: string };
}

export function formatSite(s: Site): string {
  return `${s.file}:${s.line}:${s.col}`;
}

/** Parses 'file:line:col' (the file may itself contain colons, as on Windows). */
export function parseSite(text: string | undefined): Site | undefined {
  if (!text) return undefined;
  const m = /^(.*):(\d+):(\d+)$/.exec(text);
  if (!m) return undefined;
  return { file: m[1], line: Number(m[2]), col: Number(m[3]) };
}
