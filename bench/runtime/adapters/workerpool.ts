import workerpool from 'workerpool';
import type { OwnedPool } from '../scenarios';
import { builtEntry } from '../bundle';

function adapter(workerType: 'thread' | 'process') {
  return {
    async create(workers: number): Promise<OwnedPool> {
      const pool = workerpool.pool(builtEntry('workers/workerpool'), { minWorkers: workers, maxWorkers: workers, workerType });
      return {
        run: (name, arg) => pool.exec(name, [arg]),
        destroy: async () => void (await pool.terminate()),
      };
    },
  };
}

export const threads = adapter('thread');
export const processes = adapter('process');
