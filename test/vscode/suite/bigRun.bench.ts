// The extension's side of a big run, measured in a real VS Code (run by `npm run bench:extension`,
// not by the test suite): "Run in Pool" on bench/big/million.ts (1M no-op tasks at once) with the
// inspector open, and what that costs the extension host: its event-loop delay while the run goes
// on, and how much the host's own memory (its isolate's heap and array buffers: the store, the
// inspector's copy, the analysis) grows. The user's main and pool threads live in the same process
// but are the user's program; their memory is reported apart, as the process's RSS.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as vscode from 'vscode';
import { poolscope, REPO, resetSettings, runInPool, setting } from './helpers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 2 ** 20;
/** Where bench/extension/run.mts reads the figures. */
const BENCH_OUT = join(REPO, 'out', 'extension-big.json');
/** The extension host's own memory: its isolate's heap and the array buffers it holds. */
function hostBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
function settled(): number {
  for (let i = 0; i < 3; i++) gc();
  return hostBytes();
}

describe('a 1M-task run from the extension', function () {
  this.timeout(30 * 60_000);
  before(resetSettings);
  after(resetSettings);

  it('measures the extension host while it runs and after', async () => {
    const api = await poolscope();
    await setting('openInspectorOnRun', true);
    const before = settled();
    const rssBefore = process.memoryUsage().rss;
    let peak = before;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, hostBytes());
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const t0 = performance.now();
    const summary = await runInPool(vscode.Uri.file(join(REPO, 'bench', 'big', 'million.ts')));
    const runMs = performance.now() - t0;
    delay.disable();
    clearInterval(sampler);
    const store = api.state.current!.store;
    const after = settled();
    const result = {
      tasks: store.jobs.size + store.notKept.tasks,
      notKept: store.notKept.tasks,
      outcome: summary?.outcome,
      spans: store.spanCount,
      jobs: store.jobs.size,
      runMs,
      delayP50Ms: delay.percentile(50) / 1e6,
      delayP99Ms: delay.percentile(99) / 1e6,
      delayMaxMs: delay.max / 1e6,
      hostPeakGrowthMB: (peak - before) / MB,
      hostRetainedGrowthMB: (after - before) / MB,
      rssPeakGrowthMB: (rssPeak - rssBefore) / MB,
    };
    writeFileSync(BENCH_OUT, JSON.stringify(result));
    if (summary?.outcome !== 'returned') throw new Error(`the run ended ${summary?.outcome}: ${JSON.stringify(summary?.error)}`);
  });
});
