// The floors: two raw workers (threads, or child processes on an advanced-serialization IPC
// channel) echoing messages. No queue, no scheduling beyond alternating, so both workers are
// kept saturated when many tasks are issued at once.
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { OwnedPool } from '../scenarios';
import { builtEntry } from '../bundle';

interface Echo {
  send(m: { id: number; task: string; arg?: number }): void;
  onReply(f: (m: { id: number; result: unknown }) => void): void;
  end(): Promise<unknown>;
}

function echoPool(workers: number, start: () => Echo): OwnedPool {
  const pending = new Map<number, (v: unknown) => void>();
  const echoes = Array.from({ length: workers }, () => {
    const e = start();
    e.onReply((m) => {
      pending.get(m.id)!(m.result);
      pending.delete(m.id);
    });
    return e;
  });
  let next = 0;
  return {
    run: (task, arg) =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        echoes[id % workers].send({ id, task, arg });
      }),
    destroy: async () => void (await Promise.all(echoes.map((e) => e.end()))),
  };
}

export const threads = {
  async create(workers: number): Promise<OwnedPool> {
    return echoPool(workers, () => {
      const w = new Worker(builtEntry('workers/bare'));
      return { send: (m) => w.postMessage(m), onReply: (f) => w.on('message', f), end: () => w.terminate() };
    });
  },
};

export const processes = {
  async create(workers: number): Promise<OwnedPool> {
    const pool = echoPool(workers, () => {
      const c = fork(builtEntry('workers/bare-process'), { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const exited = new Promise((resolve) => c.once('exit', resolve));
      return { send: (m) => c.send(m), onReply: (f) => c.on('message', f), end: () => (c.kill(), exited) };
    });
    // Started before anything is timed, as the other pools' workers are by their warm-up.
    await Promise.all([pool.run('noop'), pool.run('noop')]);
    return pool;
  },
};
