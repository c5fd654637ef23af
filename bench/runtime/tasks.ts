// The work every library runs. Piscina and tinypool load this file as their worker (they call
// named exports); the other workers and poolscope's task file import it.
import { performance } from 'node:perf_hooks';

export function noop(): void {}

/** Keeps the thread busy for `us` microseconds: CPU work without allocations or syscalls. */
export function busy(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}

export const tasks = { noop, busy };
export type TaskName = keyof typeof tasks;
