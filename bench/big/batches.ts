// The run too big to keep in memory: TASKS (default 10,000,000) no-op tasks in batches of BATCH
// (default 100,000), each batch issued at once on 2 workers and its results awaited before the
// next, as a user who cannot hold ten million pending results at once would write it.
import { ThreadPool } from 'poolscope';

export function noop(): void {}

export async function main(): Promise<void> {
  const total = Number(process.env.TASKS ?? 10_000_000);
  const batch = Number(process.env.BATCH ?? 100_000);
  const pool = new ThreadPool({ processes: 2 });
  for (let issued = 0; issued < total; issued += batch) {
    const pending = [];
    for (let i = 0; i < Math.min(batch, total - issued); i++) pending.push(pool.applyAsync(noop));
    for (const r of pending) await r.get();
  }
  pool.close();
  await pool.join();
}
