import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { example, fixture, poolscope, resetSettings, runInPool, waitFor, whenRunning } from './helpers';

/** Answers the quick pick the extension shows (once it is open) with `command`; resolves with `until`. */
async function answerQuickPick<T>(command: string, until: Thenable<T>): Promise<T> {
  let settled = false;
  const result = Promise.resolve(until).finally(() => (settled = true));
  while (!settled) {
    await new Promise((r) => setTimeout(r, 200));
    if (!settled) await vscode.commands.executeCommand(command);
  }
  return result;
}

describe('Run in Pool', () => {
  before(resetSettings);
  afterEach(() => vscode.commands.executeCommand('poolscope.stop'));

  it("runs the active editor's file and shows the outcome and the program's output by lane", async () => {
    const api = await poolscope();
    const doc = await vscode.workspace.openTextDocument(example('apply-callback.ts'));
    await vscode.window.showTextDocument(doc);
    const summary = await runInPool();
    assert.ok(summary, 'a run happened');
    assert.equal(summary.file, doc.uri.fsPath);
    assert.equal(summary.outcome, 'returned');
    assert.match(api.statusText(), /Pool: returned · \d+ findings?/);
    const lines = api.outputLines();
    const start = lines.findLastIndex((l) => l.startsWith(`▶ ${doc.uri.fsPath}`));
    assert.ok(start >= 0, 'the run is announced in the output');
    const programLines = lines.slice(start + 1).filter((l) => /^\[\s*[\d.]+ ms\] \[/.test(l));
    assert.ok(programLines.length > 0, 'the program printed lines');
    assert.ok(
      programLines.some((l) => /\] \[(Main|Callback|Worker \d+)\]/.test(l)),
      `each line names its lane: ${programLines.join('\n')}`,
    );
    const times = programLines.map((l) => Number(/^\[\s*([\d.]+) ms\]/.exec(l)![1]));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'lines come in time order',
    );
    assert.match(lines.at(-1)!, /■ apply-callback\.ts: returned, \d+ findings?/);
  });

  it('shows live counts in the status bar while running, and the run in the shared state', async () => {
    const api = await poolscope();
    const done = runInPool(fixture('busy-workers.ts'));
    await whenRunning(api);
    await waitFor('live counts', () => /^\$\(sync~spin\) Pool: \d+\/[1-9]\d* done/.test(api.statusText()));
    assert.equal(api.state.current?.file, fixture('busy-workers.ts').fsPath);
    const summary = await done;
    assert.equal(summary?.outcome, 'returned');
    assert.equal(api.state.current?.running, false);
    assert.ok(api.state.current!.store.spanCount >= 12, 'the trace holds every task');
  });

  it('offers a CodeLens above an exported main that runs the file', async () => {
    const uri = example('map-callbacks.ts');
    const doc = await vscode.workspace.openTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const lens = lenses.find((l) => l.command?.command === 'poolscope.run');
    assert.ok(lens, 'a Run in Pool lens');
    assert.match(lens.command!.title, /Run in Pool/);
    assert.match(doc.lineAt(lens.range.start.line).text, /export\s+(async\s+)?function\s+main\b/);
    const summary = await vscode.commands.executeCommand<{ outcome: string; file: string }>(lens.command!.command, ...(lens.command!.arguments ?? []));
    assert.equal(summary.file, uri.fsPath);
    assert.equal(summary.outcome, 'returned');
  });

  it('reports a file with a syntax error clearly, and keeps working', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poolscope-bad-'));
    const bad = join(dir, 'broken.ts');
    writeFileSync(bad, 'export async function main() {\n  const x = ;\n}\n');
    const api = await poolscope();
    const summary = await runInPool(vscode.Uri.file(bad));
    assert.equal(summary?.outcome, 'bad-input');
    assert.equal(summary?.error?.site?.file, bad);
    assert.equal(summary?.error?.site?.line, 2);
    assert.match(api.statusText(), /bad-input/);
    assert.ok(api.outputLines().at(-1)!.includes(`${bad}:2:`), 'the output names the file and line');
    const next = await runInPool(example('apply-callback.ts'));
    assert.equal(next?.outcome, 'returned', 'the extension still runs files');
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks before starting a run while another runs, and stops the first if told to', async () => {
    const api = await poolscope();
    const first = runInPool(fixture('busy-main.ts'));
    await whenRunning(api);

    const declined = runInPool(example('apply-callback.ts'));
    assert.equal(await answerQuickPick('workbench.action.closeQuickOpen', declined), undefined, 'nothing new runs when the user keeps the first run');
    assert.equal(api.state.current?.running, true, 'the first run goes on');

    const second = runInPool(example('apply-callback.ts'));
    await answerQuickPick('workbench.action.acceptSelectedQuickOpenItem', first);
    assert.equal((await first)?.outcome, 'stopped');
    assert.equal((await second)?.outcome, 'returned');
  });
});
