// What main and a pool worker say to each other.
import type { MessagePort } from 'node:worker_threads';
import type { FnRef } from './taskRegistry';

export interface PoolWorkerData {
  /** where results go: a channel to main, because the host, not main, starts the thread */
  port?: MessagePort;
  queue: SharedArrayBuffer;
  ring?: SharedArrayBuffer;
  lane: number;
  laneName: string;
  traceTasks: boolean;
  poolId: number;
  initializer?: FnRef;
  initargs: unknown[];
}

export const TaskMode = { call: 0, map: 1, starmap: 2 } as const;

export type WorkerMessage =
  /** flat triples: taskId, ResultStatus (outcomeCodec.ts), value */
  | { t: 'results'; items: unknown[] }
  | { t: 'init-failed'; error: string };
