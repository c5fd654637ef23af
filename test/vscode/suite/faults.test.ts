// Broken programs run from the editor: each ends by itself or by Stop with a message naming
// what and where, leaves no thread behind, and keeps the extension host responsive (its
// event-loop delay is measured and printed with ⏱; a figure, not an assertion, on a shared
// machine). The same fixtures as the command line's (test/runtime/fixtures/faults).
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/extension/runController';
import { REPO, fixture, measured, poolscope, poolscopeDiagnostics, resetSettings, runInPool, waitFor } from './helpers';

const fault = (name: string) => vscode.Uri.file(join(REPO, 'test', 'runtime', 'fixtures', 'faults', name));

function threadCount(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

/**
 * Child processes of the extension host that a run left (pid, state, command): its pools' worker
 * processes, and any child exited but never reaped (a zombie, which has no command line left).
 * The editor's own children (a language server, the compiler's service) come and go as they will.
 */
function runChildren(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (Number(ppid) === process.pid && (state === 'Z' || command.includes('process-worker.mjs'))) found.push(`${pid} ${state} ${command.slice(0, 100)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Runs `uri` from the editor, stopping it once `stopWhen` holds; checks no thread outlives it; prints the event-loop figures. */
async function runCounted(name: string, uri: vscode.Uri, stopWhen?: () => boolean): Promise<RunSummary> {
  const threads = threadCount();
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  const run = runInPool(uri);
  let stopMs: number | undefined;
  if (stopWhen) {
    await waitFor(`${name} to reach the point where it is stopped`, stopWhen, 30_000);
    const s0 = performance.now();
    await vscode.commands.executeCommand('poolscope.stop');
    stopMs = performance.now() - s0;
  }
  const summary = await run;
  const ms = performance.now() - t0;
  h.disable();
  assert.ok(summary, `${name}: nothing was run`);
  await waitFor(`no thread of ${name} left (${threadCount()} now, ${threads} before)`, () => threadCount() <= threads);
  const p = (q: number) => (h.percentile(q) / 1e6).toFixed(1);
  measured(
    `${name}: ${summary.outcome} after ${ms.toFixed(0)} ms${stopMs === undefined ? '' : `, Stop took ${stopMs.toFixed(0)} ms`}; event-loop delay p50 ${p(50)} ms, p99 ${p(99)} ms, max ${(h.max / 1e6).toFixed(1)} ms`,
  );
  return summary;
}

const line = (uri: vscode.Uri, text: string) =>
  readFileSync(uri.fsPath, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

describe('faults run from the editor', function () {
  this.timeout(180_000);
  before(resetSettings);

  it('a task file with a syntax error: bad input naming file:line, nothing left running', async () => {
    const s = await runCounted('syntax error', vscode.Uri.file(join(REPO, 'test', 'runtime', 'fixtures', 'bad-input', 'syntax-error.mjs')));
    assert.equal(s.outcome, 'bad-input');
    assert.ok(s.error?.site?.file.endsWith('syntax-error.mjs') && s.error.site.line > 1, JSON.stringify(s.error));
  });

  it('process.exit() in main: crashed, at the line that called it', async () => {
    const uri = fault('exits-in-main.ts');
    const s = await runCounted('process.exit in main', uri);
    assert.equal(s.outcome, 'crashed');
    assert.equal(s.error?.message, 'main called process.exit(3)');
    assert.equal(s.error?.site?.line, line(uri, '  process.exit(3);'));
  });

  it('main awaiting what never settles ends by itself as a deadlock at main', async () => {
    const uri = fault('never-settles.ts');
    const s = await runCounted('never-settling await', uri);
    assert.equal(s.outcome, 'deadlock');
    assert.equal(s.error?.site?.line, line(uri, 'export async function main'));
  });

  it('a stack overflow in main: threw, with its line', async () => {
    const uri = fault('stack-overflow.ts');
    const s = await runCounted('stack overflow', uri);
    assert.equal(s.outcome, 'threw');
    assert.equal(s.error?.site?.line, line(uri, 'return down(n + 1) + 1'));
  });

  it('an endless loop in a task: Stop ends it and names the task', async () => {
    const api = await poolscope();
    const uri = fault('task-spins.ts');
    const s = await runCounted('endless task', uri, () => api.outputLines().some((l) => l.endsWith('spinning')));
    assert.equal(s.outcome, 'stopped');
    assert.match(s.error!.message, /Worker \d was running task spin\(\) submitted at .*task-spins\.ts:\d+:\d+/);
  });

  it('main that throws right after asking for 256 threads: its error, and every thread gone', async () => {
    const s = await runCounted('256-thread pool', fault('big-pool-throws.ts'));
    assert.equal(s.outcome, 'threw');
    assert.match(s.error!.message, /right after the pool/);
  });

  it('a million printed lines: the Output channel and the trace keep the first 100,000 in order, and say how many more', async () => {
    const api = await poolscope();
    const s = await runCounted('a million lines', fault('million-lines.ts'));
    assert.equal(s.outcome, 'returned');
    const out = api.outputLines();
    const numbers = out.filter((l) => / \[Main\] line \d+$/.test(l)).map((l) => Number(/line (\d+)$/.exec(l)![1]));
    assert.equal(numbers.at(-1), 99_999);
    assert.ok(
      numbers.every((n, i) => i === 0 || n === numbers[i - 1] + 1),
      'the lines reached the channel out of order',
    );
    assert.ok(
      out.some((l) => l.startsWith('… and 900,000 more lines, not shown here and not kept')),
      out.slice(-3).join('\n'),
    );
    const { logs, notKept } = api.state.current!.store;
    assert.deepEqual([logs.length, logs.at(-1)?.text, notKept.lines], [100_000, 'line 99999', 900_000], 'the trace keeps the first lines and counts the others');
  });

  for (const [name, file, rule, at] of [
    ['tasks that leave a setInterval (Pool) and a Worker (ThreadPool) running', 'leaves-handles.ts', 'handle-leaked', ['setInterval(() => undefined', 'new Worker(']],
    ['a promise rejected and left in tasks that returned (ThreadPool, Pool)', 'rejects-after-return.ts', 'unhandled-rejection', ["Promise.reject(new Error('lost'))"]],
    [
      'class instances crossing to workers and back (ThreadPool, Pool)',
      'class-instances.ts',
      'class-lost',
      ['threads.apply(balanceOf', 'export function open(', 'pool.map(balanceOf'],
    ],
  ] as const)
    it(`${name}: the run returns, ${rule} is in the Problems panel at each place, no thread or child process of the run is left`, async () => {
      const uri = fault(file);
      const s = await runCounted(name, uri);
      assert.equal(s.outcome, 'returned');
      const shown = poolscopeDiagnostics(uri)
        .filter((d) => d.code === rule)
        .map((d) => d.range.start.line + 1);
      assert.deepEqual(
        shown.sort((a, b) => a - b),
        at.map((text) => line(uri, text)).sort((a, b) => a - b),
      );
      await waitFor(
        () => `no child process of ${name} left (now: ${runChildren().join('; ')})`,
        () => runChildren().length === 0,
      );
    });

  it("the program does not see the editor's own environment variables", async () => {
    const api = await poolscope();
    process.env.POOLSCOPE_TEST_USER_VAR = 'kept';
    try {
      assert.equal((await runCounted('environment', fixture('prints-env.ts'))).outcome, 'returned');
    } finally {
      delete process.env.POOLSCOPE_TEST_USER_VAR;
    }
    const out = api.outputLines().join('\n');
    assert.match(out, /main sees editor variables: \[\]$/m);
    assert.match(out, /a task sees editor variables: \[\]$/m);
    assert.match(out, /the user's variable: kept$/m);
  });
});
