// Real Python programs through `poolscope run prog.py`: the same output, summary and findings as
// for a task file, from python3 and poolscope's tracer, with nothing left behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FIXTURES, ROOT } from './helpers';

const PY = resolve(FIXTURES, 'python');

/** Runs the CLI with a temp dir of its own, so what the run leaves there can be seen. */
function cli(args: string[]) {
  const temp = mkdtempSync(join(tmpdir(), 'pytest-tmp-'));
  try {
    const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TMPDIR: temp } });
    return { ...r, leftInTemp: readdirSync(temp) };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

describe('Python programs through the CLI', function () {
  this.timeout(120_000);

  it('a ThreadPool program: its output with lanes, a summary per lane, no findings, nothing left on disk', () => {
    const r = cli(['run', resolve(PY, 'threadpool_callbacks.py')]);
    assert.equal(r.error, undefined, `the CLI did not end by itself: ${r.error}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const lines = r.stdout.split('\n');
    assert.deepEqual(
      lines.filter((l) => l.includes('│')),
      ['Callback │ callback got 9', 'Main     │ get: 9', 'Main     │ [0, 1, 4, 9, 16, 25]', 'Main     │ raised boom 7', 'Main     │ done'],
    );
    assert.match(r.stdout, /^── poolscope: returned after [\d.]+ ms · 5 tasks issued, 1 failed ──$/m);
    for (const lane of ['Main', 'Callback', 'Worker 1', 'Worker 2']) assert.match(r.stdout, new RegExp(`^${lane}\\s+[\\d.]+%`, 'm'));
    assert.match(r.stdout, /^no findings$/m);
    assert.deepEqual(r.leftInTemp, [], 'the run folder is removed');
  });
});
