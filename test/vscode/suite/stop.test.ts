import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { fixture, measured, poolscope, resetSettings, runInPool, waitFor, whenRunning } from './helpers';

/** OS threads of this process (the extension host); every worker thread is one. */
function threadCount(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

describe('Stop Pool Run', () => {
  before(resetSettings);

  for (const [where, file] of [
    ['main', 'busy-main.ts'],
    ['a task', 'busy-task.ts'],
    ['a callback', 'busy-callback.ts'],
  ] as const) {
    it(`ends a run busy-looping in ${where} within 2 s and keeps the trace so far`, async () => {
      const api = await poolscope();
      const threadsBefore = threadCount();
      const run = runInPool(fixture(file));
      await whenRunning(api);
      // let the busy loop really start
      await waitFor('the pool to be at work', () => api.state.current!.store.spanCount > 0);
      await new Promise((r) => setTimeout(r, 300));
      const t0 = performance.now();
      await vscode.commands.executeCommand('poolscope.stop');
      const summary = await run;
      const ms = performance.now() - t0;
      assert.equal(summary?.outcome, 'stopped');
      assert.ok(ms < 2000, `stop took ${ms.toFixed(0)} ms`);
      assert.match(api.statusText(), /Pool: stopped/);
      assert.ok(api.state.current!.store.spanCount > 0, 'the trace so far is kept');
      await waitFor(`no thread left behind (${threadCount()} now, ${threadsBefore} before)`, () => threadCount() <= threadsBefore, 2000);
      measured(`stop (${where}): ${ms.toFixed(0)} ms`);
    });
  }
});
