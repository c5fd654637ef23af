// Two raw Workers and postMessage round trips: no queue, no scheduling beyond alternating, so
// both workers are kept saturated when many tasks are issued at once.
import { Worker } from 'node:worker_threads';
import type { OwnedPool } from '../scenarios';
import { builtEntry } from '../bundle';

export async function create(workers: number): Promise<OwnedPool> {
  const pending = new Map<number, (v: unknown) => void>();
  const threads = Array.from({ length: workers }, () => {
    const w = new Worker(builtEntry('workers/bare'));
    w.on('message', (m: { id: number; result: unknown }) => {
      pending.get(m.id)!(m.result);
      pending.delete(m.id);
    });
    return w;
  });
  let next = 0;
  return {
    run: (task, arg) =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        threads[id % workers].postMessage({ id, task, arg });
      }),
    destroy: async () => void (await Promise.all(threads.map((t) => t.terminate()))),
  };
}
