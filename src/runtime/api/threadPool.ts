// ThreadPool: multiprocessing.pool.ThreadPool on worker threads (docs/SEMANTICS.md section A). As in
// Python it is a Pool whose workers are threads; unlike a Pool's processes, a thread that dies
// is not replaced (CPython 3.11 does not replace them either).
import { Pool, type PoolOptions } from './pool';
import type { PoolWorkers, WorkerEvents, WorkerOptions } from '../dispatch/poolWorkers';
import { ThreadWorkers } from '../dispatch/thread/threadWorkers';

export type ThreadPoolOptions = Omit<PoolOptions, 'maxtasksperchild'>;

export class ThreadPool extends Pool {
  constructor(options: ThreadPoolOptions = {}) {
    if ('maxtasksperchild' in options) throw new TypeError("ThreadPool() got an unexpected keyword argument 'maxtasksperchild'");
    super(options);
  }

  protected override get kind(): 'Pool' | 'ThreadPool' {
    return 'ThreadPool';
  }

  protected override startWorkers(opts: WorkerOptions, events: WorkerEvents): PoolWorkers {
    return new ThreadWorkers(opts, events);
  }

  protected override get replacesDead(): boolean {
    return false;
  }
}
