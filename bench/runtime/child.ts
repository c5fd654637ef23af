// A peer library (or the bare echo), one round, in a process of its own: `node child.mjs <id>`
// with the sizes in BENCH_SIZES. poolscope itself runs through its CLI instead (see the driver).
import { resultMarker, runScenarios, sizesFromEnv, type Measures } from './scenarios';
import * as bare from './adapters/bare';
import { piscina, tinypool } from './adapters/piscina';
import * as workerpool from './adapters/workerpool';
import * as poolifier from './adapters/poolifier';

const adapters = { bare, piscina, tinypool, workerpool, poolifier };

async function measure(id: string): Promise<Measures> {
  const adapter = adapters[id as keyof typeof adapters];
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
