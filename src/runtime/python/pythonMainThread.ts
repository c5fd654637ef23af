// A Python main's thread as the host sees it from outside, for its running time (host/mainActivity.ts):
// the tracer records main's waits but nothing while main runs its own code, and it keeps no thread
// of its own to watch (a thread alive at a fork changes the program's own warnings). The kernel
// keeps what is needed: /proc/<pid>/task/<pid>/schedstat holds the time main's thread ran on a
// CPU and the time it was runnable but waited for one, so a main that spins on a loaded machine
// is still busy. Where there is no such file (not Linux), main's running time is not drawn.
import { readFileSync } from 'node:fs';
import type { MainThreadView } from '../host/mainActivity';
import { MAIN_LANE } from './runLanes';

/** The view of the main thread of the interpreter with process id `pid` (its thread id is the same). */
export function pythonMain(pid: number): MainThreadView {
  const path = `/proc/${pid}/task/${pid}/schedstat`;
  return {
    busyUs() {
      let text: string;
      try {
        text = readFileSync(path, 'latin1');
      } catch {
        return undefined; // not Linux, or the process is gone
      }
      const [ran, waited] = text.split(' ', 2).map(Number);
      return Number.isFinite(ran) && Number.isFinite(waited) ? (ran + waited) / 1000 : undefined;
    },
    // Every wait the tracer draws on main's lane blocks its thread. The program's callbacks run on
    // the threads that complete their jobs (a done callback added to a finished future excepted):
    // the Callback lane says nothing about main's thread.
    elsewhere: (s, i) => s.col.lane[i] === MAIN_LANE && s.kind(i) === 'wait',
    idleElsewhere: true,
  };
}
