// Sleeping, for demos and lessons. Both are recorded as waits on the lane that sleeps.
import { recordedBlock, recordedWait } from './waits';

const blocker = new Int32Array(new SharedArrayBuffer(4));

/** Waits without blocking the thread: other results and callbacks go on meanwhile. */
export function sleep(ms: number): Promise<void> {
  return recordedWait({ what: 'sleep', settled: new Promise<void>((resolve) => setTimeout(resolve, ms)) });
}

/** Blocks the whole thread, as time.sleep does in Python: nothing else runs on it meanwhile. */
export function sleepSync(ms: number): void {
  recordedBlock('sleepSync', () => Atomics.wait(blocker, 0, 0, ms));
}
