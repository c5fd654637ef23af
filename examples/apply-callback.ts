// Lesson: applyAsync's callback gets the task's return value, on the Callback thread.
import { ThreadPool, currentThread } from 'poolscope';

export function square(x: number): number {
  return x * x;
}

export async function main() {
  const pool = new ThreadPool({ processes: 2 });
  const results: number[] = [];
  const handles = [1, 2, 3, 4].map((x) =>
    pool.applyAsync(square, [x], {
      callback: function collect(value) {
        results.push(value);
        console.log(`callback got ${value} on ${currentThread().name}`);
      },
    }),
  );
  for (const h of handles) await h.wait();
  console.log('results', results.sort((a, b) => a - b).join(','));
  pool.close();
  await pool.join();
}
