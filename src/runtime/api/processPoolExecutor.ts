// ProcessPoolExecutor: concurrent.futures.ProcessPoolExecutor on child processes (docs/SEMANTICS.md
// section B). A worker that dies, in its initializer or later, breaks the executor.
import { BrokenProcessPool, ValueError } from './errors';
import { Executor, type ExecutorOptions } from './executor';
import { ProcessWorkers } from '../dispatch/process/processWorkers';

export interface ProcessPoolExecutorOptions extends ExecutorOptions {
  /** replace a worker process after this many tasks; undefined or null: never */
  maxTasksPerChild?: number | null;
}

const TERMINATED = 'A child process terminated abruptly, the process pool is not usable anymore';
const PENDING = 'A process in the process pool was terminated abruptly while the future was running or pending.';

export class ProcessPoolExecutor extends Executor {
  constructor(options: ProcessPoolExecutorOptions = {}) {
    const max = options.maxTasksPerChild;
    if (max !== undefined && max !== null) {
      if (!Number.isInteger(max)) throw new TypeError('max_tasks_per_child must be an integer');
      if (max <= 0) throw new ValueError('max_tasks_per_child must be >= 1');
    }
    super(
      options,
      'ProcessPoolExecutor',
      { error: BrokenProcessPool, initFailed: TERMINATED, pendingOnInit: PENDING, initFailureStopsAll: true, workerDied: TERMINATED, pendingOnDeath: PENDING },
      (opts, events) => new ProcessWorkers(opts, events, { maxTasks: max ?? 0, respawn: false }),
    );
  }
}
