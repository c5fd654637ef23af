// An export too big to be one string: the Chrome JSON of this run is over V8's longest string, so
// `JSON.stringify` of the whole file threw RangeError and the trace was lost. Written in pieces,
// it reaches the disk whole, and the streaming importer reads the very same trace back.
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromeTraceText, readChromeTrace } from '../../../src/trace/chromeTrace';
import { writeChunks } from '../../../src/trace/writeChunks';
import { RunBuilder, at } from '../runBuilder';

const TASKS = 150_000;

describe('an export longer than the longest string', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'poolscope-big-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is written in pieces and reads back as the same trace', async () => {
    const run = new RunBuilder(2);
    run.pool({ id: 0, kind: 'ThreadPool', site: at(3) });
    // One long result shared by every task (interned once in the store, written once per task in the file).
    const result = `${'r'.repeat(4000)}✓`;
    for (let k = 0; k < TASKS; k++) {
      const job = run.job({ id: k + 1, pool: 0, api: 'applyAsync', site: at(10, 5), submitted: k / 100 });
      run.task(job, { name: 'work', worker: 1 + (k % 2), start: k / 100 + 0.001, end: k / 100 + 0.005, text: result, args: `[${k}]` });
    }
    const file = join(dir, 'big.json');
    const bytes = await writeChunks(file, chromeTraceText(run.store));
    assert.equal(statSync(file).size, bytes);
    assert.ok(bytes > constants.MAX_STRING_LENGTH, `the file (${bytes} B) is longer than the longest string (${constants.MAX_STRING_LENGTH})`);

    const back = await readChromeTrace(() => createReadStream(file), file);
    const store = run.store;
    assert.equal(back.spanCount, store.spanCount);
    const q = (us: number) => Math.round(us * 1000) / 1000;
    for (let i = 0; i < store.spanCount; i++) {
      const s = store.span(i);
      assert.deepStrictEqual(back.span(i), { ...s, start: q(s.start), end: q(s.end), queued: q(s.queued!) }, `span ${i}`);
    }
    assert.equal(back.span(TASKS - 1).text, result);
    assert.equal(back.jobs.size, TASKS);
    assert.deepEqual(back.jobs.get(TASKS), store.jobs.get(TASKS));
    assert.deepEqual(back.lanes, store.lanes);
    assert.deepEqual(back.meta, store.meta);
  });
});
