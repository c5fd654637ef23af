// The public API, importable from task files as 'poolscope'.
export { Pool, type PoolOptions, type MapOptions } from './api/pool';
export { ThreadPool, type ThreadPoolOptions } from './api/threadPool';
export { AsyncResult, type Callbacks } from './api/asyncResult';
export { type ExecutorOptions, type ShutdownOptions, type ExecutorMapOptions } from './api/executor';
export { ThreadPoolExecutor } from './api/threadPoolExecutor';
export { ProcessPoolExecutor, type ProcessPoolExecutorOptions } from './api/processPoolExecutor';
export { Future } from './api/future';
export { asCompleted, wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, type ReturnWhen, type WaitResult } from './api/futuresWait';
export { sleep, sleepSync } from './api/sleep';
export { currentThread, type ThreadInfo } from './record/lanes';
export {
  TimeoutError,
  FuturesTimeoutError,
  CancelledError,
  InvalidStateError,
  BrokenExecutor,
  BrokenThreadPool,
  BrokenProcessPool,
  MaybeEncodingError,
  KeyError,
  ValueError,
  RuntimeError,
  AssertionError,
} from './api/errors';
