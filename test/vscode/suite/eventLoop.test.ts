import * as assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fixture, measured, resetSettings, runInPool, setting } from './helpers';

/** Every stall of this thread's event loop over `minMs`, with when it happened (ms from start). */
function stallRecorder(minMs: number) {
  const stalls: { at: number; ms: number }[] = [];
  const t0 = performance.now();
  let last = t0;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last - 5 > minMs) stalls.push({ at: Math.round(last - t0), ms: Math.round(now - last - 5) });
    last = now;
  }, 5);
  return { stalls, stop: () => clearInterval(timer) };
}

describe('extension host responsiveness', () => {
  before(resetSettings);
  after(resetSettings);

  it('keeps the extension host responsive (event-loop delay p99 under 50 ms) while a pool of busy workers runs', async () => {
    await setting('workers', Math.max(2, availableParallelism()));
    // The same measure with no run first: on a machine other work also loads, the run is
    // judged by what it adds to that.
    const idle = monitorEventLoopDelay({ resolution: 5 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 1500));
    idle.disable();
    const h = monitorEventLoopDelay({ resolution: 5 });
    const stalls = stallRecorder(20);
    h.enable();
    const summary = await runInPool(fixture('busy-workers.ts'));
    h.disable();
    stalls.stop();
    assert.equal(summary?.outcome, 'returned');
    const ms = (ns: number) => ns / 1e6;
    const p99 = ms(h.percentile(99));
    const idleP99 = ms(idle.percentile(99));
    const max = ms(h.max);
    measured(
      `event-loop delay during a busy-pool run: p50 ${ms(h.percentile(50)).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms ` +
        `(idle before: p99 ${idleP99.toFixed(1)} ms, max ${ms(idle.max).toFixed(1)} ms)`,
    );
    // The 99th percentile is what a person feels as lag. Single longer stalls on these shared
    // 2-core machines come from whatever else runs (the TypeScript server, other processes) and
    // are listed in the message so a regression of our own shows where it happened.
    const limit = Math.max(50, idleP99 + 10);
    assert.ok(p99 < limit, `p99 event-loop delay ${p99.toFixed(1)} ms (limit ${limit.toFixed(1)} ms); stalls over 20 ms: ${JSON.stringify(stalls.stalls)}`);
    assert.ok(max < 1000, `the extension host froze for ${max.toFixed(1)} ms; stalls over 20 ms: ${JSON.stringify(stalls.stalls)}`);
  });
});
