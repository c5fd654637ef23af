// Lesson: an error callback sees only the first error to arrive, once, after every chunk has
// finished; the other failures go unseen. get() rejects with that same error object.
import { ThreadPool, sleep } from 'poolscope';

export async function check(n: number): Promise<number> {
  await sleep(n * 15);
  if (n % 2 === 1) throw new Error(`odd input ${n}`);
  return n;
}

export function fail(msg: string): never {
  throw new Error(msg);
}

export async function main() {
  const pool = new ThreadPool({ processes: 4 });
  const seen: Error[] = [];
  const job = pool.mapAsync(check, [0, 1, 2, 3, 4, 5], {
    chunksize: 1,
    callback: () => console.log('never printed: the map failed'),
    errorCallback: function onError(err) {
      seen.push(err);
      console.log(`error callback saw: ${err.message}`);
    },
  });
  await job.wait();
  console.log(`error callback calls: ${seen.length}; successful(): ${job.successful()}`);
  try {
    await job.get();
  } catch (err) {
    console.log(`get() rejects with the same object: ${err === seen[0]}`);
  }
  const single = pool.applyAsync(fail, ['apply failed'], {
    errorCallback: function onApplyError(err) {
      console.log(`applyAsync error callback: ${err.message}`);
    },
  });
  await single.wait();
  pool.close();
  await pool.join();
}
