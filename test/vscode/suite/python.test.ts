import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { ended, fixture, measured, poolscope, poolscopeDiagnostics, pythonExample, resetSettings, runInPool, setting, waitFor, whenRunning } from './helpers';

/** The lines the run of `file` printed in the output channel (after its ▶ line). */
function programLines(lines: readonly string[], file: string): string[] {
  const start = lines.findLastIndex((l) => l.startsWith(`▶ ${file}`));
  assert.ok(start >= 0, `the run of ${file} is announced in the output`);
  return lines.slice(start);
}

describe('Python programs', () => {
  before(resetSettings);
  afterEach(async () => {
    await vscode.commands.executeCommand('poolscope.stop');
    await resetSettings();
  });

  it('"Run in Pool" on a program whose callback raises shows callback-threw and deadlock on its lines, and the run ends by itself', async () => {
    const api = await poolscope();
    const uri = pythonExample('callback_raises.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    // Untraced, this program never ends: the run must end on its own, with the deadlock.
    const summary = await runInPool(uri);
    assert.equal(summary?.outcome, 'deadlock');
    assert.match(api.statusText(), /Pool: deadlock/);
    const diagnostics = poolscopeDiagnostics(uri);
    const threw = diagnostics.find((d) => d.code === 'callback-threw');
    assert.ok(threw, `callback-threw among ${diagnostics.map((d) => d.code).join(', ')}`);
    assert.equal(threw.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(doc.getText(threw.range), 'save_user');
    assert.equal(doc.lineAt(threw.range.start.line).text, 'def save_user(user):');
    assert.match(threw.message, /callback `save_user` threw ConnectionError: the database is down; that killed the pool's result handler/);
    const deadlock = diagnostics.find((d) => d.code === 'deadlock');
    assert.ok(deadlock, 'a deadlock diagnostic');
    assert.equal(doc.lineAt(deadlock.range.start.line).text.trim(), 'print("fetched:", result.get())');
    assert.match(deadlock.message, /^main can never return from get\(\)/);
    const cause = deadlock.relatedInformation?.find((r) => /save_user/.test(r.message));
    assert.ok(cause, 'the deadlock points at the callback that caused it');
    assert.equal(cause.location.uri.fsPath, uri.fsPath);
    assert.equal(cause.location.range.start.line, threw.range.start.line);
    // The program's own output, by the thread that printed it.
    const lines = programLines(api.outputLines(), uri.fsPath);
    assert.ok(
      lines.some((l) => /\[Callback\] saving user1$/.test(l)),
      `the callback's print is on the Callback lane:\n${lines.join('\n')}`,
    );
  });

  it('offers a CodeLens on `if __name__ == "__main__":` that runs the program', async () => {
    const uri = fixture('which_python.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const lens = lenses.find((l) => l.command?.command === 'poolscope.run');
    assert.ok(lens, 'a Run in Pool lens');
    assert.equal(doc.getText(lens.range), 'if __name__ == "__main__":');
    const summary = await vscode.commands.executeCommand<{ outcome: string; file: string }>(lens.command!.command, ...(lens.command!.arguments ?? []));
    assert.equal(summary.file, uri.fsPath);
    assert.equal(summary.outcome, 'returned');
  });

  it('runs the interpreter poolscope.python names, and says clearly when it does not exist', async () => {
    const api = await poolscope();
    const uri = fixture('which_python.py');
    // The real interpreter behind python3 (not a shim that picks one).
    const real = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    assert.ok(real, 'python3 is on PATH');
    await setting('python', real);
    // From the palette: the active editor's file.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const summary = await runInPool();
    assert.equal(summary?.outcome, 'returned');
    const lines = programLines(api.outputLines(), uri.fsPath);
    assert.match(lines[0], new RegExp(`with ${real.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} from the poolscope.python setting`));
    assert.ok(
      lines.some((l) => l.endsWith(`[Main] interpreter: ${real}`)),
      `the program ran in ${real}:\n${lines.join('\n')}`,
    );

    const missing = join(tmpdir(), 'no-such-python', 'python3');
    await setting('python', missing);
    const bad = await runInPool(uri);
    assert.equal(bad?.outcome, 'bad-input');
    assert.match(bad?.error?.message ?? '', new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was not found`));
  });

  it('Stop ends the whole process tree of a busy process Pool and keeps the trace so far', async () => {
    const api = await poolscope();
    const pidFile = join(mkdtempSync(join(tmpdir(), 'poolscope-pids-')), 'pids');
    process.env.POOLSCOPE_TEST_PIDS = pidFile;
    try {
      const run = runInPool(fixture('busy_pool.py'));
      await whenRunning(api);
      const readPids = () => {
        try {
          return readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
        } catch {
          return [];
        }
      };
      // Main and both workers have started (each wrote its pid) and the workers spin.
      const pids = await waitFor('main and two workers to start', () => readPids().length >= 3 && readPids(), 30_000);
      const t0 = performance.now();
      await vscode.commands.executeCommand('poolscope.stop');
      const summary = await run;
      const ms = performance.now() - t0;
      assert.equal(summary?.outcome, 'stopped');
      for (const pid of pids) assert.ok(ended(pid), `process ${pid} of the run ended with it`);
      const store = api.state.current!.store;
      assert.ok(store.lanes.filter((l) => l.kind === 'worker').length >= 2, 'the worker lanes recorded so far are kept');
      measured(`stop (Python process Pool): ${ms.toFixed(0)} ms`);
    } finally {
      delete process.env.POOLSCOPE_TEST_PIDS;
      rmSync(dirname(pidFile), { recursive: true, force: true });
    }
  });
});
