import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { example, poolscopeDiagnostics, resetSettings, runInPool } from './helpers';

/** A diagnostic the lesson promises: its rule, a text that marks its line, and the name under the squiggle. */
interface Promised {
  rule: string;
  line: string;
  name: string;
}

/** What each example teaches, as the Problems panel must show it. Lines are found by their text. */
const LESSONS: Record<string, Promised[]> = {
  'apply-callback.ts': [],
  'map-callbacks.ts': [],
  'callback-thread.ts': [],
  'shared-state.ts': [],
  'done-callbacks.ts': [],
  'executor-map-raises.ts': [],
  'callback-blocks.ts': [{ rule: 'callback-blocked', line: 'function slowHandler(', name: 'slowHandler' }],
  'callback-throws.ts': [
    { rule: 'callback-threw', line: 'function explode(', name: 'explode' },
    { rule: 'deadlock', line: 'await second.get()', name: 'get' },
  ],
  'callback-timing.ts': [{ rule: 'main-blocked', line: 'sleepSync(300)', name: 'sleepSync' }],
  'error-callback.ts': [{ rule: 'errors-unseen', line: 'pool.mapAsync(check', name: 'mapAsync' }],
  'failing-initializer.ts': [
    { rule: 'pool-broken', line: 'export function connect(', name: 'connect' },
    { rule: 'pool-broken', line: 'export function connect(', name: 'connect' },
    { rule: 'deadlock', line: 'await pool.join()', name: 'join' },
  ],
  'pool-callbacks-parent.ts': [],
  'process-initializer-fails.ts': [{ rule: 'pool-broken', line: 'export function connect(', name: 'connect' }],
  'process-task-errors.ts': [{ rule: 'error-unretrieved', line: 'export function parse(', name: 'parse' }],
  'process-map-raises.ts': [],
  'worker-exits.ts': [
    { rule: 'worker-crashed', line: 'export function lookUp(', name: 'lookUp' },
    { rule: 'deadlock', line: 'await pool.join()', name: 'join' },
  ],
  'maxtasksperchild.ts': [],
};

/**
 * Rules about time: on a loaded machine the OS can pause a thread for 100 ms and more, which
 * these rightly report wherever it happens. A lesson's own timing finding must be there; others
 * of these rules may come on top.
 */
const TIMING = new Set(['main-blocked', 'callback-blocked']);

/** Rules whose diagnostics must say where else to look. */
const WITH_RELATED = new Set(['callback-blocked', 'callback-threw', 'deadlock', 'errors-unseen', 'error-unretrieved', 'pool-broken', 'main-blocked', 'worker-crashed']);

describe('examples in the Problems panel', () => {
  before(resetSettings);

  for (const [file, promised] of Object.entries(LESSONS)) {
    it(`${file}: ${promised.length ? promised.map((p) => p.rule).join(', ') : 'no findings'}`, async () => {
      const uri = example(file);
      const doc = await vscode.workspace.openTextDocument(uri);
      const summary = await runInPool(uri);
      assert.ok(summary, 'it ran');
      assert.notEqual(summary.outcome, 'bad-input', summary.error?.message);
      assert.notEqual(summary.outcome, 'crashed', summary.error?.message);
      const got = poolscopeDiagnostics(uri)
        .map((d) => ({ rule: String(d.code), line: d.range.start.line, name: doc.getText(d.range), related: d.relatedInformation?.length ?? 0 }))
        .sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
      const want = promised
        .map((p) => {
          const line = doc
            .getText()
            .split('\n')
            .findIndex((l) => l.includes(p.line));
          assert.ok(line >= 0, `${file} still has a line with ${p.line}`);
          return { rule: p.rule, line, name: p.name };
        })
        .sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
      const promisedHere = (g: { rule: string; line: number }) => want.some((w) => w.rule === g.rule && w.line === g.line);
      assert.deepEqual(
        got.filter((g) => !TIMING.has(g.rule) || promisedHere(g)).map(({ rule, line, name }) => ({ rule, line, name })),
        want,
        `diagnostics of ${file} (lines 0-based)`,
      );
      for (const g of got) if (WITH_RELATED.has(g.rule)) assert.ok(g.related > 0, `${g.rule} says where else to look`);
      assert.equal(summary.findings, got.length, 'the status bar counts what the Problems panel shows');
    });
  }
});
