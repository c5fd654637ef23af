// Which lane the running code belongs to. The main isolate holds two lanes: Main, and the
// Callback lane while a pool's result handler (or an executor's done-callback runner) runs
// user callbacks in it. Pool worker threads each own one Worker lane.
export const MAIN_LANE = 0;
export const CALLBACK_LANE = 1;

let lane = MAIN_LANE;
let name = 'Main';
let callbackDepth = 0;

export function setThreadLane(l: number, n: string): void {
  lane = l;
  name = n;
}

export function currentLane(): number {
  return callbackDepth > 0 ? CALLBACK_LANE : lane;
}

export interface ThreadInfo {
  name: string;
  lane: number;
}

export function currentThread(): ThreadInfo {
  return callbackDepth > 0 ? { name: 'Callback', lane: CALLBACK_LANE } : { name, lane };
}

/** Runs fn as the Callback lane (the Python result-handler thread). */
export function onCallbackLane<T>(fn: () => T): T {
  callbackDepth++;
  try {
    return fn();
  } finally {
    callbackDepth--;
  }
}
