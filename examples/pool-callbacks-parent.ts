// Lesson: a Pool runs its tasks in child processes, but its callbacks run in the parent, on the
// pool's result handler (the Callback lane), one at a time. A callback can touch main's
// variables; a task cannot: it runs in another process, with a copy of nothing.
import { Pool, currentThread } from 'poolscope';

export function whereAmI(n: number): string {
  return `task ${n} ran in pid ${process.pid} on ${currentThread().name}`;
}

export async function main() {
  console.log(`main runs in pid ${process.pid}`);
  const pool = new Pool({ processes: 2 });
  const seen: string[] = [];
  const results = [1, 2, 3].map((n) =>
    pool.applyAsync(whereAmI, [n], {
      callback: function report(said) {
        seen.push(`${said}; its callback ran in pid ${process.pid} on ${currentThread().name}`);
      },
    }),
  );
  for (const r of results) await r.wait();
  for (const line of seen.sort()) console.log(line);
  pool.close();
  await pool.join();
}
