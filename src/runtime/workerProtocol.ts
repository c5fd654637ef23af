// What main and a pool worker say to each other.
import type { FnRef } from './taskRegistry';

export interface PoolWorkerData {
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

export const ResultStatus = { ok: 0, error: 1, encoding: 2 } as const;

export type WorkerMessage =
  /** flat triples: taskId, ResultStatus, value (for encoding: the MaybeEncodingError message) */
  | { t: 'results'; items: unknown[] }
  | { t: 'init-failed'; error: string };
