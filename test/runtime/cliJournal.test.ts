// The run journal through the CLI: a run killed outright (SIGKILL, as the OOM killer does) still
// leaves every task it recorded, which `poolscope view` shows and exports; a run that ends
// leaves only the trace asked for, or the journal itself when that is the trace asked for.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLES, FIXTURES, ROOT, cli } from './helpers';

interface TraceEvent {
  cat?: string;
  name?: string;
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
});
