import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { join } from 'node:path';
import { REPO, fixture, poolscope, resetSettings, runInPool, setting } from './helpers';

describe('settings', () => {
  beforeEach(resetSettings);
  after(resetSettings);

  it('declares each setting with a scope and a markdown description', () => {
    const props = vscode.extensions.getExtension('poolscope.poolscope')!.packageJSON.contributes.configuration.properties;
    const keys = Object.keys(props).sort();
    assert.deepEqual(keys, [
      'poolscope.blockThresholdMs',
      'poolscope.findings',
      'poolscope.keepSpans',
      'poolscope.openInspectorOnRun',
      'poolscope.python',
      'poolscope.runTimeoutMs',
      'poolscope.workers',
    ]);
    for (const k of keys) {
      assert.ok(props[k].scope, `${k} has a scope`);
      assert.ok(props[k].markdownDescription, `${k} has a markdown description`);
    }
  });

  it('poolscope.workers sizes pools created without a size', async () => {
    const api = await poolscope();
    for (const workers of [1, 3]) {
      await setting('workers', workers);
      const summary = await runInPool(fixture('busy-workers.ts'));
      assert.equal(summary?.outcome, 'returned');
      const lanes = api.state.current!.store.lanes.filter((l) => l.kind === 'worker');
      assert.equal(lanes.length, workers, `with workers = ${workers} the pool has ${workers} worker lanes`);
    }
  });

  it('poolscope.keepSpans bounds the spans a run keeps; the run counts the other tasks and says so', async () => {
    const api = await poolscope();
    await setting('keepSpans', 50);
    // The program reads how many tasks to issue from its environment, which a run from the editor inherits.
    process.env.TASKS = '300';
    try {
      const summary = await runInPool(vscode.Uri.file(join(REPO, 'test', 'runtime', 'fixtures', 'journal', 'many-tasks.ts')));
      assert.equal(summary?.outcome, 'returned');
      const store = api.state.current!.store;
      let kept = 0;
      for (let i = 0; i < store.spanCount; i++) if (store.kind(i) === 'task') kept++;
      assert.ok(kept > 0 && kept <= 50, `${kept} tasks kept`);
      assert.equal(kept + store.notKept.tasks, 300);
      assert.deepEqual(summary?.notKept, { tasks: store.notKept.tasks, reason: 'past the first 50 spans kept in memory' });
    } finally {
      delete process.env.TASKS;
    }
  });

  it('poolscope.runTimeoutMs ends a run that goes on too long', async () => {
    await setting('runTimeoutMs', 1000);
    // busy-main.ts never ends by itself: only the limit can end it, and with this outcome.
    const summary = await runInPool(fixture('busy-main.ts'));
    assert.equal(summary?.outcome, 'timeout');
  });
});
