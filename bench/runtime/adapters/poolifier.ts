import { FixedThreadPool } from 'poolifier';
import type { OwnedPool } from '../scenarios';
import { builtEntry } from '../bundle';

export async function create(workers: number): Promise<OwnedPool> {
  const pool = new FixedThreadPool<number | undefined, unknown>(workers, builtEntry('workers/poolifier'));
  return {
    run: (name, arg) => pool.execute(arg, name),
    destroy: () => pool.destroy(),
  };
}
