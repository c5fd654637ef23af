// Run-wide state of the main isolate: id counters, default pool size, and the link to the
// host that collects the trace (absent when the runtime is used on its own).
import { availableParallelism } from 'node:os';
import { Rec, LaneKindCode } from '../../trace/records';
import { createRingBuffer } from '../record/eventRing';
import { recorder } from '../record/recorder';
import { MAIN_LANE } from '../record/lanes';
import type { PoolScript, PoolWorkerData, ThreadExit } from '../dispatch/workerProtocol';

export interface HostLink {
  /** Hands the host a new lane's ring, so it can read what that thread writes, even after it dies. */
  laneRing(lane: number, ring: SharedArrayBuffer): void;
  /** Main waits on something that can never happen: the host ends the run. */
  deadlock(): void;
  /**
   * Starts a pool worker thread (or a process pool's proxy thread). The host starts them, not
   * main: a thread's start-up needs its parent's event loop, and main's may be blocked by user
   * code (sleepSync, a busy loop).
   */
  spawn(lane: number, script: PoolScript, data: PoolWorkerData): void;
  /** How the thread of `lane` ended, as the host saw it; main stays alive until it knows. */
  threadExit(lane: number): Promise<ThreadExit>;
  terminate(lane: number): void;
}

export const WORKER_RING_BYTES = 4 * 1024 * 1024;

const ctx = {
  defaultWorkers: availableParallelism(),
  host: undefined as HostLink | undefined,
  nextLane: 2,
  nextWorkerNumber: 1,
  nextPool: 1,
  nextJob: 1,
  nextTask: 1,
  nextWait: 1,
};

export function configureRun(defaultWorkers: number, host: HostLink | undefined): void {
  ctx.defaultWorkers = defaultWorkers;
  ctx.host = host;
}

export function defaultWorkers(): number {
  return ctx.defaultWorkers;
}

export function hostLink(): HostLink | undefined {
  return ctx.host;
}

export const newPoolId = () => ctx.nextPool++;
export const newJobId = () => ctx.nextJob++;
export const newTaskId = () => ctx.nextTask++;
export const newWaitId = () => ctx.nextWait++;

export interface WorkerLane {
  lane: number;
  name: string;
  ring?: SharedArrayBuffer;
}

/** Declares the next 'Worker N' lane of a pool and, under a host, its ring. */
export function newWorkerLane(poolId: number): WorkerLane {
  const lane = ctx.nextLane++;
  const name = `Worker ${ctx.nextWorkerNumber++}`;
  const rec = recorder();
  rec.rec(Rec.LANE, MAIN_LANE, lane, LaneKindCode.worker, poolId, 0, 0, 0, name);
  if (!ctx.host) return { lane, name };
  const ring = createRingBuffer(WORKER_RING_BYTES);
  ctx.host.laneRing(lane, ring);
  return { lane, name, ring };
}
