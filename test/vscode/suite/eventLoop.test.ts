// The extension host stays responsive while a run goes on: asserted as behaviour (its event
// loop must turn for the run to end); how long it stalls is printed as a measured figure, since
// on a shared machine that depends on everything else running too.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { REPO, fixture, measured, poolscope, resetSettings, runInPool, setting, waitFor, whenRunning } from './helpers';

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

  it("keeps the extension host's event loop turning while every worker of a pool computes", async () => {
    const api = await poolscope();
    await setting('workers', Math.max(2, availableParallelism()));
    const dir = mkdtempSync(join(tmpdir(), 'poolscope-gate-'));
    const gate = join(dir, 'open');
    // The run's threads copy the extension host's environment when they start.
    process.env.POOLSCOPE_TEST_GATE = gate;
    const h = monitorEventLoopDelay({ resolution: 5 });
    const stalls = stallRecorder(20);
    try {
      h.enable();
      const run = runInPool(fixture('busy-until-gate.ts'));
      await whenRunning(api);
      await waitFor('every worker to be computing', () => {
        const store = api.state.current!.store;
        const workers = store.lanes.filter((l) => l.kind === 'worker').length;
        let computing = 0;
        for (let i = 0; i < store.spanCount; i++) if (store.kind(i) === 'task' && store.status(i) === 'running') computing++;
        return workers >= 2 && computing === workers;
      });
      // Timer turns of this thread while the workers compute; the workers stop only after them.
      let turns = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (++turns < 20) return;
          clearInterval(timer);
          resolve();
        }, 5);
      });
      writeFileSync(gate, '');
      const summary = await run;
      assert.equal(summary?.outcome, 'returned');
    } finally {
      h.disable();
      stalls.stop();
      delete process.env.POOLSCOPE_TEST_GATE;
      rmSync(dir, { recursive: true, force: true });
    }
    const ms = (ns: number) => ns / 1e6;
    measured(
      `event-loop delay during a busy-pool run: p50 ${ms(h.percentile(50)).toFixed(1)} ms, p99 ${ms(h.percentile(99)).toFixed(1)} ms, max ${ms(h.max).toFixed(1)} ms; ` +
        `stalls over 20 ms: ${JSON.stringify(stalls.stalls)}`,
    );
  });

  it("runs a task file of several megabytes (compiled and its calls tagged on the run's own thread)", async () => {
    // Tagging parses the whole bundle (a quarter of a second for this one, measured in the
    // extension host); the run's own thread does it, not the extension host.
    const dir = join(REPO, 'test', 'artifacts', 'big-task');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'big-task.ts');
    const table = Array.from({ length: 38_000 }, (_, i) => `  ${JSON.stringify(`entry ${i} `.repeat(6))},`).join('\n');
    writeFileSync(
      file,
      `import { ThreadPool } from 'poolscope';\nexport const table = [\n${table}\n];\n` +
        `export function size(i: number): number { return table[i].length; }\n` +
        `export async function main(): Promise<void> {\n  const pool = new ThreadPool({ processes: 2 });\n` +
        `  console.log('sizes', (await pool.map(size, [0, 1, 2])).join(','));\n  pool.close();\n  await pool.join();\n}\n`,
    );
    try {
      const api = await poolscope();
      const stalls = stallRecorder(20);
      const h = monitorEventLoopDelay({ resolution: 5 });
      h.enable();
      const t0 = performance.now();
      const summary = await runInPool(vscode.Uri.file(file));
      const runMs = performance.now() - t0;
      h.disable();
      stalls.stop();
      assert.equal(summary?.outcome, 'returned');
      const max = h.max / 1e6;
      assert.match(api.outputLines().join('\n'), /sizes \d+,\d+,\d+/);
      measured(
        `run of a ${(table.length / 1e6).toFixed(1)} MB task file: ${runMs.toFixed(0)} ms; longest event-loop delay ${max.toFixed(1)} ms; stalls over 20 ms: ${JSON.stringify(stalls.stalls)}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
