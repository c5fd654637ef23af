// Every thread of a run starts the same way.
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';
import { distFile } from './distPaths';
import type { PoolScript } from '../dispatch/workerProtocol';

export type RunScript = 'main-worker.mjs' | PoolScript;

/**
 * Starts one of the run's scripts on a new thread. The host's own Node flags and loaders (an
 * editor's, a test runner's TypeScript hooks) are not passed on: user code runs the same way
 * whoever starts it. Its stdout and stderr are captured as trace records, not piped. `env`:
 * the environment the program sees (default: this process's).
 */
export function spawnThread(
  script: RunScript,
  workerData: unknown,
  transferList: Transferable[] = [],
  resourceLimits?: ResourceLimits,
  env: NodeJS.ProcessEnv = process.env,
): Worker {
  return new Worker(distFile(script), { workerData, transferList, env, execArgv: [], stdout: false, stderr: false, resourceLimits });
}
