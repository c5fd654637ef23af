// The public API, importable from task files as 'poolscope'.
export { ThreadPool, type ThreadPoolOptions, type MapOptions } from './threadPool';
export { AsyncResult, type Callbacks } from './asyncResult';
export { ThreadPoolExecutor, type ExecutorOptions, type ShutdownOptions, type ExecutorMapOptions } from './executor';
export { Future } from './future';
export { asCompleted, wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, type ReturnWhen, type WaitResult } from './futuresWait';
export { sleep, sleepSync } from './sleep';
export { currentThread, type ThreadInfo } from './thread';
export { registerTaskModule } from './taskRegistry';
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
} from './errors';
