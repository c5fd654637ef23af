// The three measured scenarios, shared by every library (poolscope's task file runs them too),
// so each library differs only in how it issues a task.
import { performance } from 'node:perf_hooks';
import type { TaskName } from './tasks';

/** A started pool of a library, reduced to what the scenarios need. */
export interface Pool {
  /** Issues one task and resolves when its result is back in this thread. */
  run(task: TaskName, arg?: number): PromiseLike<unknown>;
  /** One blocking-style call, for libraries whose API has a distinct one (used by the latency scenario). */
  apply?(task: TaskName, arg?: number): PromiseLike<unknown>;
}

/** A pool the child process created and must end. */
export interface OwnedPool extends Pool {
  destroy(): Promise<void>;
}

export interface Sizes {
  /** (a) no-op tasks issued at once */
  burst: number;
  /** (b) sequential awaited no-op tasks */
  sequential: number;
  /** (c) busy tasks and the work of each, in µs */
  busy: number;
  busyUs: number;
  workers: number;
}

export const fullSizes: Sizes = { burst: 100_000, sequential: 2_000, busy: 10_000, busyUs: 200, workers: 2 };
export const quickSizes: Sizes = { burst: 10_000, sequential: 500, busy: 1_000, busyUs: 200, workers: 2 };

/** The driver hands the sizes to every measured process in this variable (JSON of `Sizes`). */
export const sizesVar = 'BENCH_SIZES';
export function sizesFromEnv(): Sizes {
  const json = process.env[sizesVar];
  return json ? JSON.parse(json) : fullSizes;
}

/** The driver tells poolscope's task file which pool to measure ('thread' or 'process') in this variable. */
export const poolKindVar = 'BENCH_POOL_KIND';

/** Measured processes print their measures on one line starting with this (poolscope's CLI may
 * put a lane name before it). */
export const resultMarker = 'BENCH_RESULT ';

export interface Measures {
  /** (a) */
  tasksPerSec: number;
  /** (b) round trip, µs */
  p50Us: number;
  p99Us: number;
  /** (c) ideal time (all work spread evenly over the workers) / measured time */
  busyShare: number;
}

/** Sorted-sample quantile, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function burst(pool: Pool, n: number, task: TaskName, arg?: number): Promise<number> {
  const t0 = performance.now();
  const pending: PromiseLike<unknown>[] = new Array(n);
  for (let i = 0; i < n; i++) pending[i] = pool.run(task, arg);
  await Promise.all(pending);
  return performance.now() - t0;
}

async function roundTrips(pool: Pool, n: number): Promise<number[]> {
  const apply = pool.apply ? pool.apply.bind(pool) : pool.run.bind(pool);
  const us: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await apply('noop');
    us[i] = (performance.now() - t0) * 1000;
  }
  return us.sort((a, b) => a - b);
}

export async function runScenarios(pool: Pool, s: Sizes): Promise<Measures> {
  // Warm-up: every worker started and the hot paths compiled before anything is timed.
  await burst(pool, Math.min(2_000, s.burst), 'noop');
  await roundTrips(pool, 200);
  await burst(pool, 100, 'busy', s.busyUs);

  const burstMs = await burst(pool, s.burst, 'noop');
  const trips = await roundTrips(pool, s.sequential);
  const busyMs = await burst(pool, s.busy, 'busy', s.busyUs);
  return {
    tasksPerSec: s.burst / (burstMs / 1000),
    p50Us: quantile(trips, 0.5),
    p99Us: quantile(trips, 0.99),
    busyShare: (s.busy * s.busyUs) / s.workers / (busyMs * 1000),
  };
}
