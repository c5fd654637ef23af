// The run journal through the CLI: a run killed outright (SIGKILL, as the OOM killer does) still
// leaves every task it recorded, which `poolscope view` shows and exports; a run that ends
// leaves only the trace asked for, or the journal itself when that is the trace asked for.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLES, FIXTURES, HANG_MS, ROOT, cli, lineOf } from './helpers';

interface TraceEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { status?: string };
}

const summaryLine = (stdout: string) => stdout.split('\n').find((l) => l.startsWith('── poolscope:'));
const findingLines = (stdout: string) => stdout.split('\n').filter((l) => / \[[a-z-]+\]$/.test(l));

describe('run journal (CLI)', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'poolscope-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGKILL during a run with --trace: the journal beside the trace holds the tasks that ran, and view shows and exports them', async () => {
    const trace = join(dir, 'out.json');
    const child = spawn(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), 'run', resolve(FIXTURES, 'journal/killed-mid-run.ts'), '--trace', trace], { cwd: ROOT });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    // The gate: the CLI printed main's line, so it has read (and journalled) the fifty tasks.
    let stdout = '';
    await new Promise<void>((r) =>
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('│ squared 50')) r();
      }),
    );
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(!existsSync(trace), 'a killed CLI wrote no trace');
    const journal = `${trace}.psrec`;
    const exported = join(dir, 'rebuilt.json');
    const view = cli(['view', journal, '--trace', exported]);
    assert.equal(view.status, 0, view.stdout + view.stderr);
    assert.match(summaryLine(view.stdout) ?? '', /^── poolscope: stopped after [\d.]+ ms · 51 tasks issued, 0 failed ──$/, view.stdout);
    assert.match(view.stdout, /^the journal ends at [\d.]+ ms, before the run's end: what was recorded until then is shown$/m);
    const events = JSON.parse(readFileSync(exported, 'utf8')).traceEvents as TraceEvent[];
    assert.equal(events.filter((e) => e.cat === 'task' && e.name === 'square' && e.args?.status === 'ok').length, 50);
    assert.equal(events.filter((e) => e.cat === 'task' && e.name === 'hold' && e.args?.status === 'running').length, 1);
  });

  it('a run past its span budget (--keep): the summary counts every task and says how many it did not keep; the journal keeps all, and view shows them or a window of them', () => {
    const trace = join(dir, 'out.json');
    const run = spawnSync(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), 'run', resolve(FIXTURES, 'journal/many-tasks.ts'), '--keep', '100', '--trace', trace], {
      cwd: ROOT,
      env: { ...process.env, TASKS: '400' },
      encoding: 'utf8',
      timeout: HANG_MS,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(summaryLine(run.stdout) ?? '', /· 400 tasks issued, 0 failed ──$/);
    const notKept =
      /^not kept in memory: (\d+) of 400 tasks from task (\d+) on \(issued at [\d.]+ s\), past the first 100 spans kept in memory: counted in these figures, not drawn and not in the findings$/m.exec(
        run.stdout,
      );
    assert.ok(notKept, run.stdout);
    assert.ok(Number(notKept[1]) >= 300 && Number(notKept[1]) < 400, notKept[0]);
    const workerSpans = (stdout: string) => [...stdout.matchAll(/^Worker \d\s+[\d.]+%\s+[\d.]+%\s+(\d+)\s+0$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(workerSpans(run.stdout), 400, 'the lanes count the tasks not kept');
    const journal = `${trace}.psrec`;
    assert.match(run.stdout, new RegExp(`^the whole run is kept in ${journal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `, 'm'));
    const tasksIn = (file: string) => (JSON.parse(readFileSync(file, 'utf8')).traceEvents as TraceEvent[]).filter((e) => e.cat === 'task' && e.name === 'noop');
    assert.equal(tasksIn(trace).length, 400 - Number(notKept[1]));

    const whole = join(dir, 'whole.json');
    const view = cli(['view', journal, '--trace', whole]);
    assert.equal(view.status, 0, view.stderr);
    assert.doesNotMatch(view.stdout, /not kept/);
    const starts = tasksIn(whole)
      .map((e) => e.ts!)
      .sort((a, b) => a - b);
    assert.equal(starts.length, 400);

    // The window from the 101st task's start to the 200th's, in ms as --from and --to take them
    // (a µs wider each side: the ms figures are rounded).
    const [from, to] = [(starts[100] - 1) / 1000, (starts[199] + 1) / 1000];
    const part = join(dir, 'part.json');
    const window = cli(['view', journal, '--from', String(from), '--to', String(to), '--trace', part]);
    assert.equal(window.status, 0, window.stderr);
    assert.match(window.stdout, /^not kept in memory: \d+ of 400 tasks, outside \d+\.\d{3}–\d+\.\d{3} ms: /m);
    const shown = tasksIn(part);
    assert.ok(shown.length >= 100 && shown.length < 400, `${shown.length} tasks in the window`);
    const shownStarts = new Set(shown.map((e) => e.ts));
    assert.deepEqual(
      starts.slice(100, 200).filter((t) => !shownStarts.has(t)),
      [],
      'every task that started in the window is shown',
    );
    assert.equal(workerSpans(window.stdout), 400, 'the lanes still count every task');
  });

  it("main's own running time survives the journal: view shows Main as busy as the run did", () => {
    const journal = join(dir, 'spins.psrec');
    const run = cli(['run', resolve(FIXTURES, 'faults/main-spins.ts'), '--timeout', '2000', '--trace', journal]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const mainLine = (stdout: string) => stdout.split('\n').find((l) => /^Main\s+[\d.]+%/.test(l));
    const busy = /^Main\s+([\d.]+)%/.exec(mainLine(run.stdout) ?? '');
    assert.ok(busy && Number(busy[1]) > 0, `Main is not shown busy:\n${run.stdout}`);
    const view = cli(['view', journal]);
    assert.equal(view.status, 0, view.stderr);
    assert.equal(mainLine(view.stdout), mainLine(run.stdout));
  });

  for (const [language, program, loop] of [
    ['JavaScript', 'faults/main-spins.ts', 'for (;;)'],
    ['Python', 'python/main_spins.py', 'while True:'],
  ] as const) {
    it(`${language}: a run that runs out of time while main spins keeps main's line in the trace (Chrome JSON and journal), and view names it`, () => {
      const file = resolve(FIXTURES, program);
      const line = lineOf(readFileSync(file, 'utf8'), loop);
      const said = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}:\\d+: main was here when the run ran out of time$`, 'm');
      for (const trace of [join(dir, 'out.json'), join(dir, 'out.psrec')]) {
        const run = cli(['run', file, '--timeout', '2000', '--trace', trace]);
        assert.equal(run.status, 1, run.stdout + run.stderr);
        if (trace.endsWith('.json')) {
          const { meta } = JSON.parse(readFileSync(trace, 'utf8')).metadata.poolscope as { meta: { stoppedAt?: { file: string; line: number } } };
          assert.deepEqual([meta.stoppedAt?.file, meta.stoppedAt?.line], [file, line]);
        }
        const view = cli(['view', trace]);
        assert.equal(view.status, 0, view.stderr);
        assert.match(view.stdout, said, `${trace}:\n${view.stdout}`);
      }
    });
  }

  it('a run that ends: --trace out.json leaves no journal; --trace out.psrec is the journal, and view of it says what the run said', () => {
    const example = resolve(EXAMPLES, 'callback-throws.ts');
    const json = join(dir, 'out.json');
    const first = cli(['run', example, '--trace', json]);
    assert.equal(first.status, 1, first.stderr);
    assert.ok(existsSync(json));
    assert.ok(!existsSync(`${json}.psrec`), 'the journal beside a finished trace was removed');

    const journal = join(dir, 'out.psrec');
    const run = cli(['run', example, '--trace', journal]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, new RegExp(`^trace \\(poolscope run journal, opens with poolscope view\\): ${journal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    const view = cli(['view', journal]);
    assert.equal(view.status, 0, view.stderr);
    assert.equal(summaryLine(view.stdout), summaryLine(run.stdout));
    assert.deepEqual(findingLines(view.stdout), findingLines(run.stdout));
  });

  it('a full disk (files that are /dev/full): the run goes on and reports in full, says which file could not be written and why, keeps the journal when only the trace failed, and exits 2', function () {
    if (!existsSync('/dev/full')) this.skip();
    const example = resolve(EXAMPLES, 'map-callbacks.ts');
    const whole = cli(['run', example]);
    assert.equal(whole.status, 0, whole.stderr);

    // The journal is the trace asked for, and the disk is full from its first byte.
    const journal = join(dir, 'full.psrec');
    symlinkSync('/dev/full', journal);
    const run = cli(['run', example, '--trace', journal]);
    assert.equal(run.status, 2, run.stderr);
    const counts = (stdout: string) => summaryLine(stdout)?.replace(/after [\d.]+ ms/, '');
    assert.equal(counts(run.stdout), counts(whole.stdout), 'the report covers the whole run');
    assert.match(run.stderr, new RegExp(`^poolscope: the run journal ${journal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} stopped at byte 0: ENOSPC`, 'm'));
    assert.doesNotMatch(run.stdout, /^trace \(/m, 'no trace is claimed');

    // The trace cannot be written: the journal beside it holds the whole run, and says so.
    const json = join(dir, 'full.json');
    symlinkSync('/dev/full', json);
    const traced = cli(['run', example, '--trace', json]);
    assert.equal(traced.status, 2, traced.stderr);
    assert.match(traced.stderr, /^poolscope: --trace .*full\.json: could not write it: ENOSPC/m);
    assert.match(traced.stdout, /^the whole run is kept in .*full\.json\.psrec: poolscope view .* shows it$/m);
    const view = cli(['view', `${json}.psrec`]);
    assert.equal(view.status, 0, view.stderr);
    assert.equal(summaryLine(view.stdout), summaryLine(traced.stdout));
  });
});
