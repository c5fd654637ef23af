// Lesson: callbacks share variables with main, as Python's callbacks share globals with the
// main thread. Tasks do not: each worker has its own copy of module state.
import { ThreadPool } from 'poolscope';

let tasksSeenByWorker = 0;

export function count(x: number): number {
  tasksSeenByWorker++; // a worker's own copy: main never sees this change
  return x * 10;
}

export async function main() {
  const pool = new ThreadPool({ processes: 2 });
  const totals = { sum: 0, calls: 0 };
  const jobs = [1, 2, 3, 4, 5].map((x) =>
    pool.applyAsync(count, [x], {
      callback: function addUp(v) {
        totals.sum += v;
        totals.calls++;
      },
    }),
  );
  for (const j of jobs) await j.wait();
  console.log(`callbacks updated main's object: sum=${totals.sum}, calls=${totals.calls}`);
  console.log(`main's copy of the workers' counter is still ${tasksSeenByWorker}`);
  pool.close();
  await pool.join();
}
