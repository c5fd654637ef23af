// The command line and bad input: exit codes, the finding lines terminals link, and a clear
// message with file and line for input that cannot run, all without hanging.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLES, FIXTURES, cli, lineOf, runFile } from './helpers';

const BAD = resolve(FIXTURES, 'bad-input');

/** The CLI ends by itself with exit 2 and an error naming the file (and line). */
function assertBadInput(name: string, message: RegExp, line?: number) {
  const file = resolve(BAD, name);
  const r = cli(['run', file]);
  assert.equal(r.error, undefined, `the CLI did not end by itself: ${r.error}`);
  assert.equal(r.status, 2, `exit ${r.status}\n${r.stdout}${r.stderr}`);
  assert.match(r.stderr, message);
  assert.ok(r.stderr.includes(line === undefined ? file : `${file}:${line}:`), `stderr does not name ${file}${line ? `:${line}` : ''}:\n${r.stderr}`);
}

describe('command line', function () {
  it('run examples/callback-throws.ts: ends by itself, exit 1, with a file:line:col deadlock line at the awaiting line', () => {
    const file = resolve(EXAMPLES, 'callback-throws.ts');
    const r = cli(['run', file]);
    assert.equal(r.error, undefined, `the CLI did not end by itself: ${r.error}`);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /── poolscope: deadlock after /, 'the run ended on the deadlock, not on a time limit');
    const line = lineOf(readFileSync(file, 'utf8'), 'await second.get()');
    const finding = r.stdout.split('\n').find((l) => l.endsWith('[deadlock]'));
    assert.ok(finding, `no [deadlock] line in:\n${r.stdout}`);
    assert.match(finding, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}:\\d+: error: .+ \\[deadlock\\]$`));
    assert.ok(
      r.stdout.split('\n').some((l) => /^\S+callback-throws\.ts:\d+:\d+: error: callback `explode` threw .*\[callback-threw\]$/.test(l)),
      `no callback-threw line for explode in:\n${r.stdout}`,
    );
  });

  it('run of an example that returns: exit 0, output then findings', () => {
    const r = cli(['run', resolve(EXAMPLES, 'apply-callback.ts')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Main\s+│ results 1,4,9,16$/m);
    assert.match(r.stdout, /^── poolscope: returned after [\d.]+ ms · 4 tasks issued, 0 failed ──$/m);
    // On a loaded machine the timing rules may report main's thread being paused; nothing else.
    const findingLines = r.stdout.split('\n').filter((l) => / \[[a-z-]+\]$/.test(l));
    for (const l of findingLines) assert.match(l, /^\S+apply-callback\.ts:\d+:\d+: (error|warning|info): .+ \[(main-blocked|callback-blocked)\]$/);
    assert.match(r.stdout, findingLines.length ? new RegExp(`^${findingLines.length} findings?:$`, 'm') : /^no findings$/m);
  });

  it('counts cancelled tasks in the summary, and not as spans their worker ran', () => {
    const r = cli(['run', resolve(EXAMPLES, 'executor-map-raises.ts')]);
    assert.equal(r.status, 0, r.stderr);
    const summary = /· 6 tasks issued, 1 failed, ([1-3]) cancelled ──$/m.exec(r.stdout);
    assert.ok(summary, `no summary with cancelled tasks in:\n${r.stdout}`);
    const worker = /^Worker 1\s+[\d.]+%\s+[\d.]+%\s+(\d+)\s+1$/m.exec(r.stdout);
    assert.ok(worker, `no Worker 1 row in:\n${r.stdout}`);
    assert.equal(Number(worker[1]) + Number(summary[1]), 6, 'every task either ran on Worker 1 or was cancelled');
  });

  it('counts the tasks a broken pool dropped as never run, not as cancelled: their futures failed', () => {
    const r = cli(['run', resolve(EXAMPLES, 'process-initializer-fails.ts')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Main\s+│ future failed: BrokenProcessPool: /m);
    assert.match(r.stdout, /· 3 tasks issued, 0 failed, 3 never ran ──$/m);
  });

  describe('bad input: exit 2 with file and line, no hang', () => {
    it('a missing file', async () => {
      assertBadInput('no-such-file.ts', /no such file/);
      const run = await runFile(resolve(BAD, 'no-such-file.ts'));
      assert.equal(run.outcome, 'bad-input');
      assert.equal(run.error?.site?.file, resolve(BAD, 'no-such-file.ts'));
    });

    it('a syntax error names file:line:col', async () => {
      const line = lineOf(readFileSync(resolve(BAD, 'syntax-error.mjs'), 'utf8'), 'const = 3;');
      assertBadInput('syntax-error.mjs', /Expected identifier/, line);
      const run = await runFile(resolve(BAD, 'syntax-error.mjs'));
      assert.equal(run.outcome, 'bad-input');
      assert.deepEqual(run.error?.site, { file: resolve(BAD, 'syntax-error.mjs'), line, col: 9 });
    });

    it('an import that cannot be resolved names the import line', () => {
      assertBadInput('unresolved-import.mjs', /Could not resolve "\.\/no-such-module"/, 2);
    });

    it('no main export', async () => {
      assertBadInput('no-main.ts', /does not export a `main` function/);
      const run = await runFile(resolve(BAD, 'no-main.ts'));
      assert.equal(run.outcome, 'bad-input');
      assert.equal(run.error?.site?.file, resolve(BAD, 'no-main.ts'));
    });

    it('an import that throws while loading names the line that threw', () => {
      const r = cli(['run', resolve(BAD, 'import-throws.ts')]);
      assert.equal(r.status, 2, `exit ${r.status}\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /importing .*import-throws\.ts failed: .*JSON/);
      assert.ok(r.stderr.includes(`${resolve(BAD, 'throws-on-load.ts')}:2:`), r.stderr);
    });
  });

  describe('mistakes in the task file that main lets escape: exit 2 at the issuing line', () => {
    it('a task function that is not exported: ValueError naming the function', async () => {
      const file = resolve(BAD, 'not-exported.ts');
      const line = lineOf(readFileSync(file, 'utf8'), 'pool.apply(hidden');
      assertBadInput('not-exported.ts', /ValueError: task function `hidden` is not exported from the task file/, line);
      const run = await runFile(file);
      assert.equal(run.outcome, 'bad-input');
      assert.equal(run.error?.site?.line, line);
      assert.ok(run.error!.stack!.includes(`${file}:${line}:`), run.error!.stack);
      assert.equal(run.spans.filter((s) => s.kind === 'task').length, 0);
    });

    it('an argument that cannot be cloned: MaybeEncodingError', async () => {
      const file = resolve(BAD, 'uncloneable-argument.ts');
      const line = lineOf(readFileSync(file, 'utf8'), 'pool.apply(call');
      assertBadInput('uncloneable-argument.ts', /MaybeEncodingError: Error sending arguments: '.+'\. Reason: '.+could not be cloned\.'/, line);
      const run = await runFile(file);
      assert.equal(run.outcome, 'bad-input');
      assert.equal(run.error?.site?.line, line);
    });
  });

  describe('trace files', () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'poolscope-cli-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('--trace out.perfetto-trace writes Perfetto protobuf packets', () => {
      const out = join(dir, 'apply.perfetto-trace');
      const r = cli(['run', resolve(EXAMPLES, 'apply-callback.ts'), '--trace', out]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^trace \\(Perfetto protobuf trace\\): ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
      const bytes = readFileSync(out);
      // Trace.packet (field 1, length-delimited) from the first byte; the test of perfettoTrace decodes it in full.
      assert.equal(bytes[0], 0x0a);
      assert.ok(bytes.includes(Buffer.from('Worker 1')), 'the lanes are named');
    });

    it('view of a file that is not a trace: exit 2 with what is wrong and where, at once', () => {
      const junk = join(dir, 'junk.json');
      writeFileSync(junk, Buffer.alloc(50 << 20, 'x'));
      const r = cli(['view', junk]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stderr, `poolscope: ${junk}: Invalid trace: the file is not valid JSON (byte 0 of ${junk})\n`);
      const deep = join(dir, 'deep.json');
      writeFileSync(deep, `{"traceEvents":[${'['.repeat(10_000_000)}`);
      const d = cli(['view', deep]);
      assert.equal(d.status, 2);
      assert.match(d.stderr, /traceEvents\[0\] is nested deeper than 64 levels \(byte \d+ of /);
    });
  });
});
