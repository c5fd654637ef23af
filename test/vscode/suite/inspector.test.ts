import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { example, poolscope, poolscopeDiagnostics, resetSettings, runInPool, setting, waitFor } from './helpers';

interface InspectorStats {
  spansReceived: number;
  lanes: number;
  batches: number;
  visible: boolean;
}
const inspectorStats = () => vscode.commands.executeCommand<InspectorStats | undefined>('poolscope.inspectorStats');

describe('Pool Inspector', () => {
  before(async () => {
    await resetSettings();
    await setting('openInspectorOnRun', true);
  });
  after(async () => {
    await resetSettings();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens on run and receives every span and lane of the run', async () => {
    const api = await poolscope();
    const summary = await runInPool(example('map-callbacks.ts'));
    assert.equal(summary?.outcome, 'returned');
    const store = api.state.current!.store;
    let last: InspectorStats | undefined;
    await waitFor(
      () => `the inspector to hold ${store.spanCount} spans on ${store.lanes.length} lanes (last: ${JSON.stringify(last)})`,
      async () => {
        last = await inspectorStats();
        return last && last.spansReceived === store.spanCount && last.lanes === store.lanes.length;
      },
      15_000,
    );
  });

  it('"Show in Pool Inspector" from a diagnostic reveals the inspector', async () => {
    const uri = example('callback-blocks.ts');
    await runInPool(uri);
    const [d] = poolscopeDiagnostics(uri);
    const [action] = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range)).filter(
      (a) => a.command?.command === 'poolscope.showInInspector',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(await inspectorStats(), undefined, 'no inspector after closing it');
    await vscode.commands.executeCommand(action.command!.command, ...(action.command!.arguments ?? []));
    await waitFor('the inspector to be back', async () => (await inspectorStats())?.visible);
  });

  it('exports the run as a Chrome trace and opens it again', async () => {
    const api = await poolscope();
    await runInPool(example('apply-callback.ts'));
    const spans = api.state.current!.store.spanCount;
    const target = vscode.Uri.file(join(mkdtempSync(join(tmpdir(), 'poolscope-trace-')), 'apply-callback.trace.json'));
    const written = await vscode.commands.executeCommand<vscode.Uri>('poolscope.exportTrace', target);
    assert.equal(written?.fsPath, target.fsPath);
    const json = JSON.parse(readFileSync(target.fsPath, 'utf8'));
    assert.ok(Array.isArray(json.traceEvents ?? json), 'Trace Event Format');
    api.state.set(undefined);
    await vscode.commands.executeCommand('poolscope.openTrace', target);
    assert.equal(api.state.current?.store.spanCount, spans, 'the opened trace has every span');
    assert.equal(api.state.current?.running, false);
    rmSync(dirname(target.fsPath), { recursive: true, force: true });
  });
});
