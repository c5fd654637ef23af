// Lesson: a callback that blocks holds the one Callback thread, so every later result of the
// pool waits behind it, even though the workers finished long ago.
import { ThreadPool, sleepSync } from 'poolscope';

export function work(x: number): number {
  sleepSync(20);
  return x;
}

export async function main() {
  const pool = new ThreadPool({ processes: 4 });
  let first = true;
  const results = [0, 1, 2, 3, 4, 5, 6, 7].map((x) =>
    pool.applyAsync(work, [x], {
      callback: function slowHandler() {
        if (first) {
          first = false;
          sleepSync(600); // e.g. a synchronous write or a slow computation
        }
      },
    }),
  );
  const t0 = performance.now();
  for (const r of results) await r.wait();
  console.log(`all 8 results ready after ${Math.round(performance.now() - t0)} ms, though each task took 20 ms`);
  pool.close();
  await pool.join();
}
