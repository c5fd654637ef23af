import { FixedClusterPool, FixedThreadPool } from 'poolifier';
import type { OwnedPool } from '../scenarios';
import { builtEntry } from '../bundle';

interface PoolifierLike {
  execute(data: number | undefined, name: string): Promise<unknown>;
  destroy(): Promise<void>;
}

function wrap(pool: PoolifierLike): OwnedPool {
  return {
    run: (name, arg) => pool.execute(arg, name),
    destroy: () => pool.destroy(),
  };
}

export const threads = {
  create: async (workers: number) => wrap(new FixedThreadPool<number | undefined, unknown>(workers, builtEntry('workers/poolifier'))),
};

export const cluster = {
  create: async (workers: number) => wrap(new FixedClusterPool<number | undefined, unknown>(workers, builtEntry('workers/poolifier-cluster'))),
};
