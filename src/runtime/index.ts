// The public API, importable from task files as 'poolscope'.
export { ThreadPool, type ThreadPoolOptions, type MapOptions } from './api/threadPool';
export { AsyncResult, type Callbacks } from './api/asyncResult';
export { ThreadPoolExecutor, type ExecutorOptions, type ShutdownOptions, type ExecutorMapOptions } from './api/threadPoolExecutor';
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
  ValueError,
  RuntimeError,
  AssertionError,
} from './api/errors';
