// A peer library (or a bare echo), one round, in a process of its own: `node child.mjs <id>`
// with the sizes in BENCH_SIZES. poolscope itself runs through its CLI instead (see the driver).
import { resultMarker, runScenarios, sizesFromEnv, type Measures, type OwnedPool } from './scenarios';
import * as bare from './adapters/bare';
import { piscina, tinypool } from './adapters/piscina';
import * as workerpool from './adapters/workerpool';
import * as poolifier from './adapters/poolifier';

const adapters: Record<string, { create(workers: number): Promise<OwnedPool> }> = {
  bare: bare.threads,
  piscina,
  tinypool,
  workerpool: workerpool.threads,
  poolifier: poolifier.threads,
  'bare-process': bare.processes,
  'workerpool-process': workerpool.processes,
  'poolifier-cluster': poolifier.cluster,
};

async function measure(id: string): Promise<Measures> {
  const adapter = adapters[id];
  if (!adapter) throw new Error(`unknown library '${id}'`);
  const sizes = sizesFromEnv();
  const pool = await adapter.create(sizes.workers);
  try {
    return await runScenarios(pool, sizes);
  } finally {
    await pool.destroy();
  }
}

console.log(resultMarker + JSON.stringify(await measure(process.argv[2])));
// Some pools keep handles open after destroy; the measures are out, so end here.
process.exit(0);
