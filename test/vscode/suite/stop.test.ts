import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { TraceStore } from '../../../src/trace/store';
import { fixture, measured, poolscope, resetSettings, runInPool, waitFor, whenRunning } from './helpers';

/** OS threads of this process (the extension host); every worker thread is one. */
function threadCount(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

function running(store: TraceStore, kind: 'task' | 'callback'): boolean {
  for (let i = 0; i < store.spanCount; i++) if (store.kind(i) === kind && store.status(i) === 'running') return true;
  return false;
}

describe('Stop Pool Run', () => {
  before(resetSettings);

  const busyIn: [string, string, (store: TraceStore) => boolean][] = [
    // main prints, then spins
    ['main', 'busy-main.ts', (store) => store.logs.some((l) => l.text.startsWith('squared'))],
    ['a task', 'busy-task.ts', (store) => running(store, 'task')],
    ['a callback', 'busy-callback.ts', (store) => running(store, 'callback')],
  ];
  for (const [where, file, busy] of busyIn) {
    it(`ends a run busy-looping in ${where} and keeps the trace so far`, async () => {
      const api = await poolscope();
      const threadsBefore = threadCount();
      const run = runInPool(fixture(file));
      await whenRunning(api);
      await waitFor(`${where} to be busy`, () => busy(api.state.current!.store));
      const t0 = performance.now();
      await vscode.commands.executeCommand('poolscope.stop');
      const summary = await run;
      const ms = performance.now() - t0;
      // The fixture never ends by itself, so the outcome says Stop ended it.
      assert.equal(summary?.outcome, 'stopped');
      assert.match(api.statusText(), /Pool: stopped/);
      assert.ok(api.state.current!.store.spanCount > 0, 'the trace so far is kept');
      await waitFor(`no thread left behind (${threadCount()} now, ${threadsBefore} before)`, () => threadCount() <= threadsBefore);
      measured(`stop (${where}): ${ms.toFixed(0)} ms`);
    });
  }
});
