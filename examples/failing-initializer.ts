// Lesson: an initializer that throws breaks the pool. A ThreadPool's threads die and are not
// replaced (as in CPython), so it never runs a task; a ThreadPoolExecutor fails every pending
// future with BrokenThreadPool and refuses new work. (A process Pool replaces its dying workers
// for ever: see the initializer-respawn finding.)
import { ThreadPool, ThreadPoolExecutor } from 'poolscope';

export function connect(url: string): void {
  throw new Error(`cannot connect to ${url}`);
}

export function fetchRow(id: number): string {
  return `row ${id}`;
}

export async function main() {
  const ex = new ThreadPoolExecutor({ maxWorkers: 2, initializer: connect, initargs: ['db://nowhere'] });
  const f = ex.submit(fetchRow, 1);
  try {
    await f.result();
  } catch (e) {
    console.log(`future failed: ${(e as Error).name}: ${(e as Error).message}`);
  }
  try {
    ex.submit(fetchRow, 2);
  } catch (e) {
    console.log(`submit after: ${(e as Error).name}`);
  }

  const pool = new ThreadPool({ processes: 2, initializer: connect, initargs: ['db://nowhere'] });
  const rows = pool.mapAsync(fetchRow, [1, 2, 3]);
  pool.close();
  console.log('joining a pool whose workers can never start...');
  await pool.join(); // never returns in Python; poolscope reports the deadlock
  console.log(await rows.get());
}
