// Lesson: a callback that throws kills the pool's result handler. That job never becomes
// ready, nor does any later one, and a get() without a timeout would wait forever. poolscope
// sees the wait can never return, reports a deadlock and ends the run.
import { ThreadPool } from 'poolscope';

export function double(x: number): number {
  return 2 * x;
}

export async function main() {
  const pool = new ThreadPool({ processes: 1 }); // one worker: results arrive in the order issued
  const first = pool.applyAsync(double, [1], {
    callback: function explode(value) {
      throw new Error(`callback cannot handle ${value}`);
    },
  });
  await first.wait(500); // times out: the job never becomes ready
  console.log(`after 500 ms, ready() is ${first.ready()}`);
  const second = pool.applyAsync(double, [2]);
  console.log('waiting for the second result...');
  console.log(await second.get()); // never returns: nothing delivers results any more
}
