// Lesson: when a callback runs. It runs after the task finishes and before the result is
// ready: get() returns only after the callback. In JavaScript it also needs main's event loop,
// so main blocking synchronously holds every callback back until it yields.
import { ThreadPool, sleepSync } from 'poolscope';

export function quick(x: number): number {
  return x + 1;
}

export async function main() {
  const pool = new ThreadPool({ processes: 1 });
  await pool.apply(quick, [0]); // the workers are up and running
  const log: string[] = [];
  const r = pool.applyAsync(quick, [1], {
    callback: function record(v) {
      log.push(`callback(${v})`);
    },
  });
  sleepSync(300); // the task finishes at once, but its callback must wait for main to yield
  log.push('main woke up');
  const v = await r.get();
  log.push(`get() -> ${v}`);
  console.log(log.join(' -> '));
  pool.close();
  await pool.join();
}
