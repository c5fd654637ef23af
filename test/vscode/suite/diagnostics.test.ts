import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { example, poolscopeDiagnostics, resetSettings, runInPool, setting } from './helpers';

describe('diagnostics', () => {
  beforeEach(resetSettings);
  after(resetSettings);

  it('follow the blocking threshold setting, and a rerun replaces them', async () => {
    const uri = example('callback-blocks.ts');
    await runInPool(uri);
    const blocked = poolscopeDiagnostics(uri).filter((d) => d.code === 'callback-blocked');
    assert.equal(blocked.length, 1, 'a 600 ms callback is over the default 100 ms threshold');
    assert.equal(blocked[0].severity, vscode.DiagnosticSeverity.Warning);
    assert.match(blocked[0].message, /callback `slowHandler` held the callback thread for \d+ ms; \d+ results? waited behind it/);

    await setting('blockThresholdMs', 5000);
    const summary = await runInPool(uri);
    assert.deepEqual(
      poolscopeDiagnostics(uri).filter((d) => d.code === 'callback-blocked'),
      [],
      'under a 5 s threshold nothing blocked',
    );
    assert.equal(summary?.findings, poolscopeDiagnostics(uri).length, 'the old diagnostics are gone, not added to');
  });

  it('poolscope.findings hides the rules switched off', async () => {
    const uri = example('callback-throws.ts');
    await runInPool(uri);
    assert.ok(poolscopeDiagnostics(uri).some((d) => d.code === 'callback-threw'));
    await setting('findings', { 'callback-threw': false });
    await runInPool(uri);
    const codes = poolscopeDiagnostics(uri).map((d) => d.code);
    assert.ok(!codes.includes('callback-threw'), 'callback-threw is hidden');
    assert.ok(codes.includes('deadlock'), 'other rules still show');
  });

  it('offers "Show in Pool Inspector" on each poolscope diagnostic, with the finding\'s spans', async () => {
    const uri = example('callback-blocks.ts');
    await runInPool(uri);
    const [d] = poolscopeDiagnostics(uri);
    assert.ok(d);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range);
    const show = actions.filter((a) => a.title === 'Show in Pool Inspector');
    assert.equal(show.length, 1);
    assert.equal(show[0].command?.command, 'poolscope.showInInspector');
    const spans = show[0].command?.arguments?.[0] as number[];
    assert.ok(Array.isArray(spans) && spans.length > 0, "the finding's span indices go along");
  });

  it('puts related information where the callback was registered', async () => {
    const uri = example('callback-blocks.ts');
    const doc = await vscode.workspace.openTextDocument(uri);
    await runInPool(uri);
    const d = poolscopeDiagnostics(uri).find((x) => x.code === 'callback-blocked');
    const registered = d?.relatedInformation?.find((r) => /registered/.test(r.message));
    assert.ok(registered, 'says where the callback was registered');
    assert.equal(registered.location.uri.fsPath, uri.fsPath);
    assert.match(doc.lineAt(registered.location.range.start.line).text, /applyAsync|callback/);
  });
});
