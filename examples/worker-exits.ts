// Lesson: a task that calls process.exit() takes its worker process with it. A Pool starts a
// new worker, which runs the tasks after it, but the task itself is lost: its result never
// comes, and a get() without a timeout would wait for ever. (A ProcessPoolExecutor would be
// broken instead: every future fails with BrokenProcessPool.)
import { Pool, TimeoutError } from 'poolscope';

export function lookUp(key: string): string {
  if (key === 'missing') {
    console.log(`no ${key}: giving up the whole process ${process.pid}`);
    process.exit(1); // meant "stop this lookup", ends the worker
  }
  return `${key} found in pid ${process.pid}`;
}

export async function main() {
  const pool = new Pool({ processes: 1 });
  const lost = pool.applyAsync(lookUp, ['missing']);
  console.log(await pool.apply(lookUp, ['present']));
  try {
    await lost.get(1000);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log(`get(1000) timed out: the task was lost with its worker (ready: ${lost.ready()})`);
  }
  pool.close();
  await pool.join(); // would never return while the lost job is pending: poolscope reports the deadlock
}
