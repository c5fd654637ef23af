// The host's reader of a Python process's record file, on a file the tracer's own writer wrote:
// every field and text as written, and a record still being written (its byteLength not yet
// there, or its bytes half copied in) read on a later pass, with the records after it, never skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RecordFile } from '../../../src/runtime/python/recordFile';
import { Rec, type RawRecord } from '../../../src/trace/records';

const PYTHON_DIR = resolve(__dirname, '../../../python');

describe('Python record file reader', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'recfile-'));
    path = join(dir, 'p1.rec');
    const write = `import sys; sys.path.insert(0, ${JSON.stringify(PYTHON_DIR)}); from poolscope_tracer import records as R
w = R.Writer(${JSON.stringify(path)})
w.rec(R.TASK_END, 3, 7, 1, -2, 3, 2**31 - 1, -2**31 + 1, text="ValueError: é ✓")
for i in range(3000): w.rec(R.LOG, 65535, 1, text="line %d" % i)`;
    const r = spawnSync(process.env.POOLSCOPE_TEST_PYTHON ?? 'python3', ['-c', write], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const readAll = (file: RecordFile): RawRecord[] => {
    const out: RawRecord[] = [];
    while (file.drain((r) => out.push({ ...r }), 100) === 100);
    return out;
  };

  it('reads every field and text the Python writer wrote, and stops at the zeros past them', () => {
    const file = new RecordFile(path);
    const recs = readAll(file);
    file.close();
    assert.equal(recs.length, 3001);
    const { type, lane, a, b, c, d, e, f, text } = recs[0];
    assert.deepEqual({ type, lane, a, b, c, d, e, f, text }, { type: Rec.TASK_END, lane: 3, a: 7, b: 1, c: -2, d: 3, e: 2 ** 31 - 1, f: -(2 ** 31) + 1, text: 'ValueError: é ✓' });
    assert.ok(recs[0].ts > 0);
    assert.deepEqual(recs.slice(1).map((r) => [r.lane, r.text]), Array.from({ length: 3000 }, (_, i) => [65535, `line ${i}`]));
  });

  it('reads a record longer than one read, between short ones', () => {
    const long = join(dir, 'p2.rec');
    const write = `import sys; sys.path.insert(0, ${JSON.stringify(PYTHON_DIR)}); from poolscope_tracer import records as R
w = R.Writer(${JSON.stringify(long)})
for i in range(2000): w.rec(R.LOG, 1, 1, text="line %d" % i)
w.rec(R.LOG, 2, 1, text="x" * (R.MAX_TEXT - 1))
w.rec(R.LOG, 3, 1, text="after")`;
    const r = spawnSync(process.env.POOLSCOPE_TEST_PYTHON ?? 'python3', ['-c', write], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const file = new RecordFile(long);
    const recs = readAll(file);
    file.close();
    assert.deepEqual(
      recs.slice(-3).map((x) => [x.lane, x.text?.length]),
      [
        [1, 'line 1999'.length],
        [2, 64 * 1024 - 1],
        [3, 'after'.length],
      ],
    );
    assert.equal(recs.length, 2002);
  });

  // The second record starts where the first ends: its byteLength says where. Its own bytes 0-4
  // are its byteLength; from 44 on, its text.
  for (const [what, from, to] of [
    ['whose byteLength is not there yet', 0, 4],
    ['half copied in (its text not all there)', 44, 47],
  ] as const) {
    it(`leaves a record ${what}, and the ones after it, for a later pass`, () => {
      const fd = openSync(path, 'r+');
      const len = Buffer.alloc(4);
      readSync(fd, len, 0, 4, 0);
      const at = len.readInt32LE(0) + from;
      const saved = Buffer.alloc(to - from);
      readSync(fd, saved, 0, saved.length, at);
      writeSync(fd, Buffer.alloc(saved.length), 0, saved.length, at);
      const file = new RecordFile(path);
      assert.equal(readAll(file).length, 1, 'only the record before the one being written');
      assert.equal(readAll(file).length, 0, 'and nothing more while it is still being written');
      writeSync(fd, saved, 0, saved.length, at);
      closeSync(fd);
      const rest = readAll(file);
      file.close();
      assert.equal(rest.length, 3000);
      assert.equal(rest[0].text, 'line 0');
    });
  }
});
