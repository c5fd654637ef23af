// piscina and tinypool (a fork of piscina that kept its API): both call a named export of the
// worker file, here tasks.ts itself.
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import type { OwnedPool } from '../scenarios';
import { builtEntry } from '../bundle';

interface PiscinaLike {
  run(arg: unknown, opts: { name: string }): Promise<unknown>;
  destroy(): Promise<void>;
}
type PiscinaClass = new (opts: { filename: string; minThreads: number; maxThreads: number }) => PiscinaLike;

function adapter(Pool: PiscinaClass) {
  return {
    async create(workers: number): Promise<OwnedPool> {
      const pool = new Pool({ filename: builtEntry('tasks'), minThreads: workers, maxThreads: workers });
      return {
        run: (name, arg) => pool.run(arg, { name }),
        destroy: () => pool.destroy(),
      };
    },
  };
}

export const piscina = adapter(Piscina);
export const tinypool = adapter(Tinypool);
