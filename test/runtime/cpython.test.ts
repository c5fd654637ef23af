// Ported CPython tests (see the fixtures for what each translates and what is left out): each
// `it` is one CPython test method, run inside the fixture's main; the trace adds what CPython
// checks on stderr.
import assert from 'node:assert/strict';
import { assertCheck, runFixture, spansOfCheck, type Run } from './helpers';

const POOL_TESTS = [
  'test_apply',
  'test_map',
  'test_starmap',
  'test_starmap_async',
  'test_map_async',
  'test_map_chunksize',
  'test_async',
  'test_async_timeout',
  'test_imap',
  'test_imap_unordered',
  'test_make_pool',
  'test_terminate',
  'test_empty_iterable',
  'test_context',
];

const FUTURE_TESTS = [
  'FutureTests.test_done_callback_with_result',
  'FutureTests.test_done_callback_with_exception',
  'FutureTests.test_done_callback_with_cancel',
  'FutureTests.test_done_callback_raises',
  'FutureTests.test_done_callback_already_successful',
  'FutureTests.test_done_callback_already_failed',
  'FutureTests.test_done_callback_already_cancelled',
  'FutureTests.test_done_callback_raises_already_succeeded',
  'FutureTests.test_repr',
  'FutureTests.test_cancelled',
  'FutureTests.test_done',
  'FutureTests.test_running',
  'FutureTests.test_result_with_timeout',
  'FutureTests.test_exception_with_timeout',
  'FutureTests.test_result_with_success',
  'FutureTests.test_result_with_cancel',
  'FutureTests.test_exception_with_success',
  'FutureTests.test_cancel',
  'ExecutorTest.test_submit',
  'ExecutorTest.test_map',
  'ExecutorTest.test_map_exception',
  'ExecutorTest.test_map_timeout',
  'InitializerMixin.test_initializer',
  'FailingInitializerMixin.test_initializer',
];

/** The stderr lines printed while check `id` ran (until the next check began). */
function stderrOf(run: Run, id: string): string[] {
  const at = run.lines.findIndex((l) => l.text === `BEGIN ${id}`);
  const next = run.lines.slice(at + 1).find((l) => l.text.startsWith('BEGIN '));
  const begin = run.lines[at].ts;
  const end = next?.ts ?? Infinity;
  return run.lines.filter((l) => l.stream === 'stderr' && l.ts >= begin && l.ts < end).map((l) => l.text);
}

for (const [kind, fixture] of [
  ['ThreadPool', 'cpython-pool.ts'],
  ['Pool', 'cpython-pool-process.ts'],
] as const) {
  describe(`CPython Lib/test/_test_multiprocessing.py _TestPool, on ${kind}`, function () {
    let run: Run;
    before(async () => {
      run = await runFixture(fixture);
    });

    it('the fixture ran every test and main returned', () => {
      assert.equal(run.outcome, 'returned', run.error?.message);
    });

    for (const name of POOL_TESTS) {
      it(`cpython _TestPool.${name}`, () => {
        assertCheck(run, name);
        if (name === 'test_terminate') {
          const tasks = spansOfCheck(run, name, { kind: 'task', name: 'startAndHang' });
          const started = tasks.filter((t) => t.status !== 'cancelled');
          assert.equal(started.length, 3, `${started.length} of the 10,000 endless tasks started on 3 workers`);
          assert.ok(
            started.every((t) => t.status !== 'ok'),
            'an endless task is shown as finished',
          );
          const dropped = tasks.filter((t) => t.status === 'cancelled');
          assert.ok(dropped.length > 0 && dropped.every((t) => t.end === t.start), 'the tasks terminate() dropped are not shown as cancelled');
          assert.ok(run.store.marks.some((m) => m.kind === 'terminate'));
        }
      });
    }
  });
}

for (const [kind, fixture] of [
  ['ThreadPoolExecutor', 'cpython-futures.ts'],
  ['ProcessPoolExecutor', 'cpython-futures-process.ts'],
] as const) {
  describe(`CPython Lib/test/test_concurrent_futures (FutureTests, executor map, initializer), on ${kind}`, function () {
    let run: Run;
    before(async () => {
      run = await runFixture(fixture);
    });

    it('the fixture ran every test and main returned', () => {
      assert.equal(run.outcome, 'returned', run.error?.message);
    });

    for (const name of FUTURE_TESTS) {
      it(`cpython ${name}`, () => {
        assertCheck(run, name);
        if (name.endsWith('test_done_callback_raises') || name.endsWith('test_done_callback_raises_already_succeeded')) {
          const err = stderrOf(run, name);
          assert.ok(
            err.some((l) => l.startsWith('exception calling callback for <Future')),
            `stderr: ${JSON.stringify(err)}`,
          );
          assert.ok(err.includes('Error: doh!'), `stderr: ${JSON.stringify(err)}`);
        }
        if (name === 'FailingInitializerMixin.test_initializer') {
          assert.ok(stderrOf(run, name).includes('ValueError: error in initializer'));
          const broken = [...run.store.pools.values()].filter((p) => p.broken);
          assert.equal(broken.length, 1);
        }
      });
    }
  });
}
