// The pool threads of a run, which the host starts on main's behalf: a pool's worker threads
// and the proxy threads of process pools. Main is told how each ended (its exit code and the
// error that ended it, which only the thread's parent sees), and the child processes the
// proxies started are killed with the run, whatever state their proxies are in.
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { nowUs } from '../record/clock';
import { spawnThread } from './spawnThread';
import type { HostToProxy, PoolScript, PoolWorkerData, ProxyToHost, ThreadExit } from '../dispatch/workerProtocol';

const BOOTING_AT_ONCE = Math.max(2, availableParallelism());
/** How long a run's end waits for the process pools' proxies to reap their children before stopping them regardless. */
const REAP_GRACE_MS = 2000;

interface Queued {
  script: PoolScript;
  data: PoolWorkerData;
}

export class PoolThreads {
  private readonly threads = new Map<number, Worker>();
  /** the threads that are process pools' proxies, each with a child of its own */
  private readonly proxies = new Set<Worker>();
  private readonly toStart = new Map<number, Queued>();
  private booting = 0;
  private readonly children = new Set<number>();

  constructor(
    /** the run is over: start nothing more */
    private readonly over: () => boolean,
    /** the environment the program sees */
    private readonly env: () => NodeJS.ProcessEnv | undefined,
    private readonly told: (lane: number, exit: ThreadExit) => void,
  ) {}

  start(lane: number, script: PoolScript, data: PoolWorkerData): void {
    this.toStart.set(lane, { script, data });
    this.startQueued();
  }

  /**
   * Pool threads start a few at a time, each batch once the last is up: starting a thread costs
   * tens of milliseconds of CPU, and a main that ends right after asking for 256 must be heard
   * (and the rest not started) without waiting for all of them to boot on a busy machine.
   */
  private startQueued(): void {
    if (this.over()) {
      for (const q of this.toStart.values()) q.data.port?.close();
      this.toStart.clear();
      return;
    }
    while (this.booting < BOOTING_AT_ONCE && this.toStart.size > 0) {
      const [lane, { script, data }] = this.toStart.entries().next().value!;
      this.toStart.delete(lane);
      this.boot(lane, script, data);
    }
  }

  private boot(lane: number, script: PoolScript, data: PoolWorkerData): void {
    const w = spawnThread(script, data, [data.port!], script === 'pool-worker.mjs' ? data.resourceLimits : undefined, this.env());
    this.threads.set(lane, w);
    if (script === 'process-proxy.mjs') this.proxies.add(w);
    this.booting++;
    let up = false;
    const booted = () => {
      if (up) return;
      up = true;
      this.booting--;
      this.startQueued();
    };
    w.once('online', booted);
    let error: ThreadExit['error'];
    w.on('error', (e: unknown) => (error = errorParts(e)));
    w.on('message', (m: ProxyToHost) => {
      if (m.t === 'child') this.children.add(m.pid);
      else if (m.t === 'child-exit') this.children.delete(m.pid);
    });
    w.on('exit', (code) => {
      this.threads.delete(lane);
      this.proxies.delete(w);
      booted();
      this.told(lane, { code, error, ts: nowUs() });
    });
  }

  /** A thread not started yet is not started: its channel closes, as a thread's does when it ends. */
  terminate(lane: number): void {
    const queued = this.toStart.get(lane);
    this.toStart.delete(lane);
    if (!queued) return void this.threads.get(lane)?.terminate();
    queued.data.port?.close();
    this.told(lane, { code: 0, ts: nowUs() });
  }

  private async reap(): Promise<void> {
    if (this.proxies.size === 0) return;
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all([...this.proxies].map(reapedBy)), new Promise((resolve) => (grace = setTimeout(resolve, REAP_GRACE_MS)))]);
    clearTimeout(grace);
  }

  /** Stops every pool thread and kills every child process still alive. */
  async stop(): Promise<void> {
    await this.reap();
    await Promise.all([...this.threads.values()].map((w) => w.terminate()));
    for (const pid of this.children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    this.children.clear();
  }
}

/**
 * Each process pool's proxy kills its child and waits for its end: a child is reaped only by the
 * thread that started it. A proxy that does not answer in time is stopped regardless (its child
 * is killed below, and stays a zombie until the host ends).
 */
function reapedBy(w: Worker): Promise<void> {
  return new Promise((resolve) => {
    const heard = (m: ProxyToHost) => {
      if (m.t === 'reaped') resolve();
    };
    w.on('message', heard);
    w.once('exit', () => resolve());
    w.postMessage({ t: 'reap' } satisfies HostToProxy);
  });
}

function errorParts(e: unknown): ThreadExit['error'] {
  if (!(e instanceof Error)) return { name: 'Uncaught', message: String(e), stack: `Uncaught ${String(e)}` };
  return { name: e.name, message: e.message, stack: e.stack, code: (e as NodeJS.ErrnoException).code };
}
