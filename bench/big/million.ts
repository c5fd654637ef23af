// The big run: TASKS (default 1,000,000) no-op tasks issued at once on 2 workers, each result
// then awaited, as a user's `pool.applyAsync(f)` loop would. Its own pending results count in the
// CLI's memory, as they would in the user's.
import { ThreadPool } from 'poolscope';

export function noop(): void {}

export async function main(): Promise<void> {
  const n = Number(process.env.TASKS ?? 1_000_000);
  const pool = new ThreadPool({ processes: 2 });
  const pending = [];
  for (let i = 0; i < n; i++) pending.push(pool.applyAsync(noop));
  for (const r of pending) await r.get();
  pool.close();
  await pool.join();
}
