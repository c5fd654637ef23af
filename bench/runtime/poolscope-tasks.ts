// poolscope's side of the runtime bench: a task file like any user's, run by the driver as
// `poolscope run bench/runtime/poolscope-tasks.ts --workers 2 [--no-trace]`. Its `main` runs the
// shared scenarios on a ThreadPool, or on a Pool when BENCH_POOL_KIND is 'process', and prints
// the measures on one line.
import { Pool, ThreadPool } from 'poolscope';
import { noop, busy, type TaskName } from './tasks';
import { poolKindVar, resultMarker, runScenarios, sizesFromEnv } from './scenarios';

// Pool tasks must be exports of the task file.
export { noop, busy };

const fns: Record<TaskName, (...args: number[]) => void> = { noop, busy };
const argsOf = (arg?: number) => (arg === undefined ? [] : [arg]);

export async function main(): Promise<void> {
  const sizes = sizesFromEnv();
  const Kind = process.env[poolKindVar] === 'process' ? Pool : ThreadPool;
  const pool = new Kind({ processes: sizes.workers });
  const measures = await runScenarios(
    {
      run: (task, arg) => pool.applyAsync(fns[task], argsOf(arg)).get(),
      apply: (task, arg) => pool.apply(fns[task], argsOf(arg)),
    },
    sizes,
  );
  pool.close();
  await pool.join();
  console.log(resultMarker + JSON.stringify(measures));
}
