// Lesson: which thread runs a callback. Tasks run on the workers; pool callbacks run on the
// one Callback thread, never in a worker and never inside the call that issued the task.
import { ThreadPool, currentThread } from 'poolscope';

export function whereAmI(): string {
  return currentThread().name;
}

export async function main() {
  const pool = new ThreadPool({ processes: 2 });
  console.log(`main runs on ${currentThread().name}`);
  const results = [0, 1, 2, 3].map(() =>
    pool.applyAsync(whereAmI, [], {
      callback: function report(taskThread) {
        console.log(`task ran on ${taskThread}; its callback runs on ${currentThread().name}`);
      },
    }),
  );
  console.log(`applyAsync returned before any callback ran, on ${currentThread().name}`);
  for (const r of results) await r.wait();
  pool.close();
  await pool.join();
}
