import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { PoolscopeApi } from '../../../src/extension/api';
import { measured } from './helpers';

describe('activation', () => {
  it('activates on first use and logs how long it took', async () => {
    const ext = vscode.extensions.getExtension<PoolscopeApi>('poolscope.poolscope');
    assert.ok(ext, 'extension is installed');
    assert.equal(ext.isActive, false, 'nothing has used the extension yet, so it must not be active');
    const t0 = performance.now();
    const api = await ext.activate();
    const wallMs = performance.now() - t0;
    assert.equal(ext.isActive, true);
    assert.ok(
      api.outputLines().some((l) => /^Poolscope activated in \d+\.\d ms$/.test(l)),
      'the activation time is in the Poolscope output channel',
    );
    measured(`activation: activate() ${api.activationMs.toFixed(1)} ms, load + activate ${wallMs.toFixed(1)} ms`);
  });

  it('registers every command it contributes', async () => {
    const ext = vscode.extensions.getExtension('poolscope.poolscope')!;
    const contributed: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    for (const id of ['poolscope.run', 'poolscope.stop', 'poolscope.openInspector', 'poolscope.exportTrace', 'poolscope.openTrace']) {
      assert.ok(contributed.includes(id), `${id} is contributed`);
    }
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((id) => !registered.has(id)),
      [],
      'every contributed command has a handler',
    );
  });

  it('offers the run commands only in trusted workspaces', () => {
    const pkg = vscode.extensions.getExtension('poolscope.poolscope')!.packageJSON;
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    const runEntries = Object.values(pkg.contributes.menus as Record<string, { command: string; when?: string }[]>)
      .flat()
      .filter((m) => m.command === 'poolscope.run');
    assert.deepEqual(
      runEntries.map((m) => /\bisWorkspaceTrusted\b/.test(m.when ?? '')),
      runEntries.map(() => true),
      'every menu entry of Run in Pool requires a trusted workspace',
    );
    assert.ok(runEntries.length >= 3, 'command palette, editor title and explorer context menu');
  });
});
