import assert from 'node:assert/strict';
import { UNRETRIEVED, brokenExecutor, unretrievedErrors } from '../scenarios';
import { RunBuilder, at } from '../runBuilder';
import { findings, spanIndices } from './findings';

describe('error-unretrieved', () => {
  it('reports each failing function at its definition, one finding per submitting line', () => {
    const run = unretrievedErrors();
    const all = findings(run, 'error-unretrieved');
    assert.deepEqual(
      all.map((f) => ({ severity: f.severity, message: f.message, site: f.site, related: f.related })),
      [
        {
          severity: 'warning',
          message: "`parse` failed with ValueError: invalid literal 'x' and the error was never looked at: nothing called result() or exception()",
          site: UNRETRIEVED.parse,
          related: [{ message: 'the submit() call that submitted it', site: UNRETRIEVED.submit }],
        },
        {
          severity: 'warning',
          message: '3 calls of `load` failed (first: Error: ENOENT file1.csv) and their errors were never looked at: nothing called result() or exception()',
          site: UNRETRIEVED.load,
          related: [{ message: 'the submit() call that submitted them', site: UNRETRIEVED.loop }],
        },
      ],
    );
    assert.deepEqual(
      all[1].spans,
      spanIndices(run, (s) => s.name === 'load'),
    );
    assert.ok(!all.some((f) => f.message.includes('ValueError: seen')), 'the job whose error was retrieved is not reported');
  });

  it('falls back to the submit site and speaks of get() for a ThreadPool', () => {
    const run = new RunBuilder(1);
    run.pool({ id: 0, kind: 'ThreadPool', site: at(3) });
    const job = run.job({ id: 0, pool: 0, api: 'applyAsync', site: at(8, 5), submitted: 0, status: 'error', retrieved: false });
    run.task(job, { name: 'square', worker: 1, start: 0, end: 1, status: 'error', text: 'TypeError: x is not a number' });
    const [f] = findings(run, 'error-unretrieved');
    assert.equal(f.message, '`square` failed with TypeError: x is not a number and the error was never looked at: nothing called get() and there was no errorCallback');
    assert.deepEqual(f.site, at(8, 5));
  });

  it('stays quiet on a trace whose records stopped before the end (a full disk): an error looked at after that would not show', () => {
    const run = unretrievedErrors();
    assert.ok(findings(run, 'error-unretrieved').length > 0);
    run.store.meta.recordsStopped = { ts: 5, why: 'p1.rec has no room for more (No space left on device)' };
    assert.deepEqual(findings(run, 'error-unretrieved'), []);
  });

  it('leaves the futures of a broken pool to pool-broken', () => {
    assert.deepEqual(findings(brokenExecutor(), 'error-unretrieved'), []);
  });
});
