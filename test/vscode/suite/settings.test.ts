import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fixture, poolscope, resetSettings, runInPool, setting } from './helpers';

describe('settings', () => {
  beforeEach(resetSettings);
  after(resetSettings);

  it('declares each setting with a scope and a markdown description', () => {
    const props = vscode.extensions.getExtension('poolscope.poolscope')!.packageJSON.contributes.configuration.properties;
    const keys = Object.keys(props).sort();
    assert.deepEqual(keys, ['poolscope.blockThresholdMs', 'poolscope.findings', 'poolscope.openInspectorOnRun', 'poolscope.python', 'poolscope.runTimeoutMs', 'poolscope.workers']);
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

  it('poolscope.runTimeoutMs ends a run that goes on too long', async () => {
    await setting('runTimeoutMs', 1000);
    // busy-main.ts never ends by itself: only the limit can end it, and with this outcome.
    const summary = await runInPool(fixture('busy-main.ts'));
    assert.equal(summary?.outcome, 'timeout');
  });
});
