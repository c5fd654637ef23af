// ThreadPoolExecutor: concurrent.futures.ThreadPoolExecutor on worker threads (docs/SEMANTICS.md section B).
import { BrokenThreadPool } from './errors';
import { Executor, type ExecutorOptions } from './executor';
import { ThreadWorkers } from '../dispatch/thread/threadWorkers';

export class ThreadPoolExecutor extends Executor {
  constructor(options: ExecutorOptions = {}) {
    super(
      options,
      'ThreadPoolExecutor',
      {
        error: BrokenThreadPool,
        initFailed: 'A thread initializer failed, the thread pool is not usable anymore',
        initFailureStopsAll: false,
        // A Python thread cannot die under its executor; a worker thread can (process.exit(), an
        // uncaught error, running out of memory), and this executor breaks as a process executor does.
        workerDied: 'A worker thread terminated abruptly, the thread pool is not usable anymore',
        pendingOnDeath: 'A thread in the thread pool was terminated abruptly while the future was running or pending.',
      },
      (opts, events) => new ThreadWorkers(opts, events),
    );
  }
}
