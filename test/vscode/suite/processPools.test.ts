import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ended, example, poolscope, poolscopeDiagnostics, resetSettings, runInPool, waitFor } from './helpers';

describe('process pools', () => {
  before(resetSettings);
  afterEach(async () => {
    await vscode.commands.executeCommand('poolscope.stop');
    await resetSettings();
  });

  it('"Run in Pool" on a Pool whose task calls process.exit() shows worker-crashed on the task, pointing at the line that submitted it, and the run ends by itself', async () => {
    const api = await poolscope();
    const uri = example('worker-exits.ts');
    const doc = await vscode.workspace.openTextDocument(uri);
    const lineWith = (text: string) =>
      doc
        .getText()
        .split('\n')
        .findIndex((l) => l.includes(text));
    // Untraced, join() would wait for ever on the lost task: the run must end on its own.
    const summary = await runInPool(uri);
    assert.equal(summary?.outcome, 'deadlock', summary?.error?.message);
    assert.match(api.statusText(), /Pool: deadlock/);

    const diagnostics = poolscopeDiagnostics(uri);
    const crashed = diagnostics.find((d) => d.code === 'worker-crashed');
    assert.ok(crashed, `worker-crashed among ${diagnostics.map((d) => d.code).join(', ')}`);
    assert.equal(crashed.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(doc.getText(crashed.range), 'lookUp');
    assert.equal(crashed.range.start.line, lineWith('export function lookUp('));
    const m =
      /^Worker 1 \(pid (\d+)\) of the Pool exited with code 1 while running `lookUp`: called process\.exit\(1\); the task is lost: .*; the Pool started a replacement \(pid (\d+)\)$/.exec(
        crashed.message,
      );
    assert.ok(m, crashed.message);
    const [dead, replacement] = [Number(m[1]), Number(m[2])];
    const submitted = crashed.relatedInformation?.find((r) => r.message === 'the applyAsync() call that submitted `lookUp`');
    assert.ok(submitted, 'worker-crashed points at the line that submitted the lost task');
    assert.equal(submitted.location.uri.fsPath, uri.fsPath);
    assert.equal(submitted.location.range.start.line, lineWith("pool.applyAsync(lookUp, ['missing'])"));

    const deadlock = diagnostics.find((d) => d.code === 'deadlock');
    assert.ok(deadlock, 'a deadlock diagnostic');
    assert.equal(deadlock.range.start.line, lineWith('await pool.join()'));
    assert.ok(
      deadlock.relatedInformation?.some((r) => r.location.range.start.line === crashed.range.start.line && /was lost/.test(r.message)),
      'the deadlock points at the lost task',
    );

    // The pids the finding names are the processes the task printed from and the lane shows.
    assert.ok(
      api.outputLines().some((l) => l.endsWith(`[Worker 1] no missing: giving up the whole process ${dead}`)),
      api.outputLines().join('\n'),
    );
    const pids = api.state.current!.store.marks.filter((k) => k.kind === 'worker-start').map((k) => k.pid);
    assert.deepEqual(pids, [dead, replacement]);
    // The replacement lives only as long as the run.
    await waitFor(`the replacement worker ${replacement} to end with the run`, () => ended(replacement), 2000);
    assert.ok(ended(dead));
  });
});
