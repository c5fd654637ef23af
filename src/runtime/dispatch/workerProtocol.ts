// What main and a pool worker say to each other. A pool's worker is a thread that runs its
// tasks (pool-worker.mjs) or a thread that feeds a child process and relays what it says
// (process-proxy.mjs); main treats both alike.
import type { MessagePort, ResourceLimits } from 'node:worker_threads';
import type { FnRef } from './taskRegistry';

export type PoolScript = 'pool-worker.mjs' | 'process-proxy.mjs';

export interface PoolWorkerData {
  /** where results go: a channel to main, because the host, not main, starts the thread */
  port?: MessagePort;
  queue: SharedArrayBuffer;
  ring?: SharedArrayBuffer;
  /** a WorkerState cell block: what the worker leaves for whoever sees it end */
  state: SharedArrayBuffer;
  lane: number;
  laneName: string;
  traceTasks: boolean;
  poolId: number;
  initializer?: FnRef;
  initargs: unknown[];
  /** a thread's resource limits, or a child process's heap and stack flags */
  resourceLimits?: ResourceLimits;
  /** process pools only */
  process?: ProcessSlotOptions;
}

export interface ProcessSlotOptions {
  /** replace the child after this many tasks (a map chunk is one); 0: never */
  maxTasks: number;
  /** start a new child when one dies (Pool: yes; executors break instead) */
  respawn: boolean;
  /** where main listens for its children (a Unix socket or a named pipe): results come, and tasks go, there */
  mainPath: string;
}

/** Int32 cells of PoolWorkerData.state. */
export const WorkerState = {
  /**
   * The task running now (0: none). A process slot's lane, which main and its proxy both may
   * hand a task, is claimed here: -1 idle, 0 not to be handed anything (starting, ending), else
   * the task handed to it. Only a compare-and-swap from -1 hands a task.
   */
  TASK: 0,
  /** how the worker ended, as WorkerEnd; 0 while running, or when it died */
  END: 1,
  /** 1: what killed it was an unhandled promise rejection */
  UNHANDLED: 2,
  /** process slots: how many of its children connected to main (each one's results come on its own connection) */
  CONNECTED: 3,
  /** process slots: how many tasks' ends its proxy has read (their records are in the lane's ring) */
  ENDS_READ: 4,
  /** process slots: the pid of its current child, the only one TASK speaks for */
  PID: 5,
  CELLS: 6,
  /** process slots: a Float64 after the cells, when the task in TASK was handed over */
  HANDED_AT_BYTE: 24,
  BYTES: 32,
} as const;

/** WorkerState.TASK of a process slot whose child is idle. */
export const LANE_IDLE = -1;

export const WorkerEnd = { running: 0, done: 1, initFailed: 2 } as const;

export const TaskMode = { call: 0, map: 1, starmap: 2 } as const;

export type WorkerMessage =
  /** flat triples: taskId, ResultStatus (outcomeCodec.ts), value */
  | { t: 'results'; items: unknown[] }
  /** a child process's ToMain.RESULTS frame body, relayed by its proxy */
  | { t: 'relayed'; pid: number; body: Uint8Array }
  | { t: 'init-failed'; error: string }
  /**
   * A worker died unasked (a process proxy recorded how); `task` was lost with it (0: none). A
   * process's `pid`, whether it had connected to main (then main reads what it sent there
   * first), and the last task it ended, whose result it may not have sent (0: none).
   */
  | { t: 'died'; task: number; why: string; pid?: number; connected?: boolean; ended?: number };

/** main -> a process proxy */
export type ProxyCommand = { t: 'terminate'; why: string };

/** a process proxy -> the thread that started it (the host): the children to kill at the run's end */
export type ProxyToHost = { t: 'child'; pid: number } | { t: 'child-exit'; pid: number } | { t: 'reaped' };
/** The run is over: kill the child and say once it is reaped. */
export type HostToProxy = { t: 'reap' };

/** How a pool thread ended, as whoever started it saw it. */
export interface ThreadExit {
  code: number;
  /** the error that ended it (an uncaught throw, running out of memory), if one did */
  error?: { name: string; message: string; stack?: string; code?: string };
  /** when, on the run's clock */
  ts: number;
}
