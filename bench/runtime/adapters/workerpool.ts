import workerpool from 'workerpool';
import type { OwnedPool } from '../scenarios';
import { builtEntry } from '../bundle';

export async function create(workers: number): Promise<OwnedPool> {
  const pool = workerpool.pool(builtEntry('workers/workerpool'), {
    minWorkers: workers,
    maxWorkers: workers,
    workerType: 'thread',
  });
  return {
    run: (name, arg) => pool.exec(name, [arg]),
    destroy: async () => void (await pool.terminate()),
  };
}
