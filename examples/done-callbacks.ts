// Lesson: Future.addDoneCallback. Callbacks run in the order added, once the future is done by
// a result, an error or a cancel; on an already-done future at once, in the caller.
import { ThreadPoolExecutor, currentThread, sleep } from 'poolscope';

export async function slow(x: number): Promise<number> {
  await sleep(100);
  return x;
}

export function boom(): never {
  throw new Error('task failed');
}

export async function main() {
  const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
  const f = ex.submit(slow, 1);
  f.addDoneCallback(function first() {
    console.log(`first, on ${currentThread().name}`);
  });
  f.addDoneCallback(function second() {
    console.log('second');
  });
  const failing = ex.submit(boom);
  failing.addDoneCallback(function onFailure(fut) {
    void fut.exception().then((e) => console.log(`done callback of a failed future sees: ${(e as Error).message}`));
  });
  const queued = ex.submit(slow, 2); // waits behind the others on the one worker
  queued.addDoneCallback(function onCancel(fut) {
    console.log(`cancelled future's callback, cancelled()=${fut.cancelled()}, on ${currentThread().name}`);
  });
  console.log(`cancel() -> ${queued.cancel()}`);
  await f.result();
  await failing.exception();
  f.addDoneCallback(function late() {
    console.log(`added after done: runs at once, on ${currentThread().name}`);
  });
  await ex.shutdown();
}
