// In a workspace the user has not trusted, nothing of it runs: Run in Pool refuses, no lens
// offers it, no thread starts and the file's code never executes. (The runner opens a fresh
// folder in Restricted Mode for this suite.)
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { poolscope, runInPool } from './helpers';

function threadCount(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

describe('an untrusted workspace', () => {
  it('runs nothing: Run in Pool refuses, no lens offers it, no thread starts, the code never executes', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the runner should have opened the folder untrusted');
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = vscode.Uri.file(join(folder, 'writes-marker.ts'));
    const api = await poolscope();
    await vscode.window.showTextDocument(file);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file)) ?? [];
    assert.deepEqual(
      lenses.filter((l) => l.command?.command === 'poolscope.run'),
      [],
    );
    const threads = threadCount();
    // A run's threads copy this environment: the file, if it ran, would write the marker.
    const marker = join(folder, 'ran');
    process.env.POOLSCOPE_TEST_MARKER = marker;
    try {
      assert.equal(await runInPool(file), undefined);
    } finally {
      delete process.env.POOLSCOPE_TEST_MARKER;
    }
    assert.equal(api.state.current, undefined, 'no run was shown');
    assert.equal(threadCount(), threads, 'a thread was started');
    assert.equal(existsSync(marker), false, "the file's code ran");
  });
});
