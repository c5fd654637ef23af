// Call sites as the compiler tags them: each job names the method that issued it, exactly,
// however the call is written, and the tagging leaves every other position of the user's
// code where it was (stack traces of errors thrown right after a tagged call).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Job, Site } from '../../src/trace/model';
import { FIXTURES, assertResultTimes, runFixture, type Run } from './helpers';

const FILE = resolve(FIXTURES, 'call-sites.ts');
const LINES = readFileSync(FILE, 'utf8').split('\n');

/** Where `at` is (1-based) on the one line of the fixture containing `text`. */
function position(text: string, at: string): Site {
  const found = LINES.flatMap((l, i) => (l.includes(text) ? [i] : []));
  assert.equal(found.length, 1, `${found.length} lines contain ${JSON.stringify(text)}`);
  const col = LINES[found[0]].indexOf(at);
  assert.ok(col >= 0, `no ${at} on the line of ${text}`);
  return { file: FILE, line: found[0] + 1, col: col + 1 };
}

/** The site of a call written `.method(...` on the line containing `text`: where its method's name is. */
function siteOf(text: string, call = text): Site {
  const dot = position(text, call);
  return { ...dot, col: dot.col + 1 };
}

function jobsOf(run: Run, fn: string): Job[] {
  const ids = new Set(run.spans.filter((s) => s.kind === 'task' && s.name === fn).map((s) => s.job));
  return [...run.store.jobs.values()].filter((j) => ids.has(j.id));
}

function printed(run: Run, prefix: string): string {
  const line = run.lines.find((l) => l.text.startsWith(`${prefix} `));
  assert.ok(line, `nothing printed ${prefix}`);
  return line.text.slice(prefix.length + 1);
}

describe('call sites', () => {
  let run: Run;
  before(async () => {
    run = await runFixture('call-sites.ts');
    assert.equal(run.outcome, 'returned', run.error?.stack ?? run.error?.message);
  });

  const expectSite = (fn: string, site: () => Site, count = 1) => {
    const jobs = jobsOf(run, fn);
    assert.equal(jobs.length, count, `${fn}: ${jobs.length} jobs`);
    for (const j of jobs) assert.deepEqual(j.site, site(), `${fn}: job ${j.id}`);
  };

  it('names the method of a call chained to get()', () => {
    expectSite('chained', () => siteOf('.applyAsync(chained'));
    assert.equal(printed(run, 'CHAINED'), '1');
  });

  it('names the line of the method in a call split across lines', () => {
    expectSite('split', () => siteOf('.applyAsync(split'));
    assert.equal(printed(run, 'SPLIT'), '2');
  });

  it('names the outer call whose arguments make calls of their own, and each nested call', () => {
    expectSite('outer', () => siteOf('.applyAsync(outer'));
    expectSite('nested', () => siteOf('.applyAsync(outer', '.apply(nested'));
    expectSite('earlier', () => siteOf('.applyAsync(earlier'));
    assert.equal(printed(run, 'OUTER'), '14');
  });

  it('names the line of a loop for each of the 1000 tasks it issues', () => {
    expectSite('looped', () => siteOf('.applyAsync(looped'), 1000);
    assert.equal(printed(run, 'LOOPED'), '1000');
  });

  it('names executor submit() and each job of map()', () => {
    expectSite('submitted', () => siteOf('.submit(submitted'));
    expectSite('mapped', () => siteOf('.map(mapped'), 2);
    assert.equal(printed(run, 'SUBMITTED'), '5');
    assert.equal(printed(run, 'MAPPED'), '6,7');
  });

  it('names the waiting method of each wait: get(), the wait of apply(), result() and join()', () => {
    const waitOn = (fn: string) => {
      const [job] = jobsOf(run, fn);
      const waits = run.spans.filter((s) => s.kind === 'wait' && s.job === job.id);
      assert.equal(waits.length, 1, `${fn}: ${waits.length} waits`);
      return waits[0];
    };
    assert.deepEqual(waitOn('chained').site, siteOf('.applyAsync(chained', '.get('));
    const rGet = position('.applyAsync(outer', 'r.get(');
    assert.deepEqual(waitOn('earlier').site, { ...rGet, col: rGet.col + 2 });
    assert.deepEqual(waitOn('nested').site, siteOf('.applyAsync(outer', '.apply(nested'));
    assert.deepEqual(waitOn('submitted').site, siteOf('.submit(submitted', '.result('));
    const joins = run.spans.filter((s) => s.kind === 'wait' && s.name === 'join');
    assert.deepEqual(
      joins.map((j) => j.site),
      [siteOf('await pool.join()', '.join(')],
    );
  });

  it('says when each result came in, for jobs made ready by it at once (pool and executor) as for the others', () => {
    assertResultTimes(run);
  });

  it("leaves the user's own get() and optional calls working", () => {
    assert.equal(printed(run, 'BOX'), '9');
    assert.equal(printed(run, 'MAYBE'), 'undefined');
  });

  it('keeps error positions exact after a tagged call on the same line, in a task and in main', () => {
    for (const [printedAs, text] of [
      ['TASK-FRAME', "explode('task')"],
      ['MAIN-FRAME', "explode('main')"],
    ]) {
      const frame = printed(run, printedAs);
      const failed = position(text, 'explode(');
      assert.ok(frame.endsWith(`(${failed.file}:${failed.line}:${failed.col})`), `${printedAs}: ${frame}`);
      assert.ok(position(text, '.get(').col < failed.col, 'the failing call comes after tagged calls on its line');
    }
  });
});
