// docs/SEMANTICS.md section A on the built runtime: ThreadPool and Pool, applyAsync / mapAsync,
// callbacks. Each `it` reads one check of fixtures/pool-rules.ts (its API-level assertions ran
// inside main) and then asserts what the trace shows for it; pool-rules-process.ts runs the same
// checks on a Pool, whose tasks run in child processes.
import assert from 'node:assert/strict';
import { assertCheck, assertOneAtATime, byStart, checkWindow, findings, ms, runFixture, spansOfCheck, type Run } from './helpers';

for (const [kind, fixture] of [
  ['ThreadPool', 'pool-rules.ts'],
  ['Pool', 'pool-rules-process.ts'],
] as const) {
  describe(`SEMANTICS A: ${kind} rules`, function () {
    let run: Run;
    before(async () => {
      run = await runFixture(fixture);
    });

    it('the fixture ran every check and main returned', () => {
      assert.equal(run.outcome, 'returned', run.error?.message);
    });

    it('A.1 callbacks run on the Callback lane, one at a time, in the order results arrive', () => {
      assertCheck(run, 'A.1');
      const callbacks = spansOfCheck(run, 'A.1', { kind: 'callback', name: 'a1Callback' });
      assert.equal(callbacks.length, 3);
      assert.deepEqual(new Set(callbacks.map(run.laneOf)), new Set(['Callback']));
      assertOneAtATime(callbacks);
      const tasks = spansOfCheck(run, 'A.1', { kind: 'task', name: 'gatedTicket' });
      assert.ok(tasks.every((t) => /^Worker \d+$/.test(run.laneOf(t))));
      const jobsByTaskEnd = [...tasks].sort((a, b) => a.end - b.end).map((t) => t.job);
      assert.deepEqual(
        byStart(callbacks).map((c) => c.job),
        jobsByTaskEnd,
        'callback order follows result arrival',
      );
      for (const c of callbacks) {
        assert.ok(c.start >= run.store.jobs.get(c.job)!.resultIn!, 'a callback started before main took its result in');
      }
    });

    it('A.2 applyAsync: the callback gets the return value, undefined if none', () => {
      assertCheck(run, 'A.2');
      for (const name of ['a2Value', 'a2Undefined']) {
        const [cb] = spansOfCheck(run, 'A.2', { kind: 'callback', name });
        assert.ok(cb, `no ${name} span`);
        assert.equal(cb.cbKind, 'result');
        assert.equal(cb.status, 'ok');
        assert.equal(run.laneOf(cb), 'Callback');
      }
      const [none] = spansOfCheck(run, 'A.2', { kind: 'task', name: 'nothing' });
      assert.equal(none.text, 'undefined');
    });

    it('A.3 mapAsync / starmapAsync: one callback with the whole array in input order; an empty map is ready at once with no callback', () => {
      assertCheck(run, 'A.3');
      for (const name of ['a3Map', 'a3Starmap']) {
        const cbs = spansOfCheck(run, 'A.3', { kind: 'callback', name });
        assert.equal(cbs.length, 1, `${name} ran ${cbs.length} times`);
        const chunks = spansOfCheck(run, 'A.3', { kind: 'task' }).filter((t) => t.job === cbs[0].job);
        assert.ok(chunks.length >= 2);
        assert.ok(cbs[0].start >= run.store.jobs.get(cbs[0].job)!.resultIn!, `${name} ran before every chunk's result was in`);
      }
      const emptyJob = [...run.store.jobs.values()].find((j) => j.api === 'mapAsync' && j.tasks.length === 0);
      assert.ok(emptyJob, 'the empty mapAsync job is in the trace');
      assert.equal(emptyJob.status, 'ok');
      assert.equal(run.spans.filter((s) => s.job === emptyJob.id && s.kind === 'callback').length, 0);
    });

    it('A.4 a failing map: errorCallback once, with the first error to arrive, after every chunk; no fail-fast', () => {
      assertCheck(run, 'A.4');
      const chunks = spansOfCheck(run, 'A.4', { kind: 'task', name: 'step' });
      const [onError, ...more] = spansOfCheck(run, 'A.4', { kind: 'callback' }).filter((c) => c.job === chunks[0].job);
      assert.equal(more.length, 0, 'only the error callback runs');
      assert.equal(onError.name, 'a4OnError');
      assert.equal(onError.cbKind, 'error');
      assert.deepEqual(chunks.map((c) => c.status).sort(), ['error', 'error', 'ok'], 'the slow chunk still ran to the end');
      assert.ok(onError.start >= run.store.jobs.get(onError.job)!.resultIn!, "the error callback ran before every chunk's result was in");
      const unseen = findings(run, 'errors-unseen').find((f) => f.message.includes('a4OnError'));
      assert.ok(unseen, 'errors-unseen names the error callback that saw 1 of 2 errors');
      assert.match(unseen.message, /saw 1 of 2 errors/);
      assert.ok(unseen.related.some((r) => r.message.includes('index 0')));
    });

    it('A.5 the callback finishes before the result is ready: get() and wait() return after it', () => {
      assertCheck(run, 'A.5');
      const { end } = checkWindow(run, 'A.5');
      for (const name of ['a5Callback', 'a5WaitCallback']) {
        const [cb] = spansOfCheck(run, 'A.5', { kind: 'callback', name });
        const wait = spansOfCheck(run, 'A.5', { kind: 'wait', lane: 'Main' }).find((w) => w.job === cb.job)!;
        assert.ok(wait, `no main wait on ${name}'s job`);
        assert.ok(wait.end >= cb.end, `the wait on ${name}'s job ended ${ms(cb.end - wait.end)} ms before the callback`);
        const readyAt = run.store.jobs.get(cb.job)!.readyAt!;
        assert.ok(readyAt >= cb.end, 'the job became ready before its callback finished');
        // The wait is drawn as over, not left open to the trace end: it ended before the check did.
        assert.equal(wait.status, 'ok');
        assert.ok(wait.end <= end, `the wait ended ${ms(wait.end - end)} ms after the check`);
      }
    });

    it('A.6 a blocking callback holds back every later result of the pool', () => {
      assertCheck(run, 'A.6');
      const [blocker] = spansOfCheck(run, 'A.6', { kind: 'callback', name: 'a6Blocker' });
      const [later] = spansOfCheck(run, 'A.6', { kind: 'callback', name: 'a6Later' });
      const [task] = spansOfCheck(run, 'A.6', { kind: 'task', name: 'gated' });
      assert.ok(task.end < blocker.end, 'the later task finished while the callback blocked');
      assert.ok(later.start >= blocker.end, 'the later callback ran while the blocking one still held the lane');
      assert.ok(run.store.jobs.get(task.job)!.readyAt! >= blocker.end, 'the later result became ready while the callback blocked');
      const blocked = findings(run, 'callback-blocked').find((f) => f.message.includes('a6Blocker'));
      assert.ok(blocked, 'callback-blocked names a6Blocker');
      assert.match(blocked.message, /1 result waited behind it/);
    });

    it('A.8 apply() waits, returns the value, rethrows the task error and takes no callbacks', () => {
      assertCheck(run, 'A.8');
      const tasks = spansOfCheck(run, 'A.8', { kind: 'task' });
      assert.deepEqual(tasks.map((t) => `${t.api} ${t.name} ${t.status}`).sort(), ['apply boom error', 'apply square ok']);
      for (const t of tasks) {
        assert.deepEqual(run.store.jobs.get(t.job)!.callbacks, []);
        assert.ok(
          spansOfCheck(run, 'A.8', { kind: 'wait', name: 'get', lane: 'Main' }).some((w) => w.job === t.job),
          'apply() is a get() on Main',
        );
      }
      assert.equal(spansOfCheck(run, 'A.8', { kind: 'callback' }).length, 0);
    });

    it('A.9 AsyncResult: get(timeout) times out while the task goes on; wait(); successful(); the same error every time', () => {
      assertCheck(run, 'A.9');
      const waits = spansOfCheck(run, 'A.9', { kind: 'wait', lane: 'Main' });
      const timedOut = waits.find((w) => w.status === 'timeout');
      assert.ok(timedOut, 'the get(50) is drawn as a timed-out wait');
      assert.equal(timedOut.name, 'get');
      const [task] = spansOfCheck(run, 'A.9', { kind: 'task', name: 'gated' });
      assert.equal(task.status, 'ok');
      assert.ok(run.store.jobs.get(task.job)!.resultIn! > timedOut.end, 'the task kept running after the timeout');
    });

    it('A.10 close/join finish queued work; terminate drops it; `await using` terminates; ValueError messages', () => {
      assertCheck(run, 'A.10');
      assert.equal(spansOfCheck(run, 'A.10', { kind: 'callback', name: 'a10Closed' }).length, 4);
      assert.equal(spansOfCheck(run, 'A.10', { kind: 'callback', name: 'a10Dropped' }).length, 0);
      const { begin, end } = checkWindow(run, 'A.10');
      const pools = [...run.store.pools.values()].filter((p) => p.created >= begin && p.created <= end).sort((a, b) => a.created - b.created);
      assert.equal(pools.length, 3);
      assert.deepEqual(
        pools.map((p) => [p.closed !== undefined, p.terminated !== undefined]),
        [
          [true, false],
          [false, true],
          [false, true],
        ],
        'close()+join(), terminate(), and leaving `await using` (terminate)',
      );
      const dropped = [...run.store.jobs.values()].filter((j) => j.callbacks.some((c) => c.name === 'a10Dropped'));
      assert.equal(dropped.length, 3);
      assert.ok(
        dropped.every((j) => j.status === 'pending' && j.readyAt === undefined),
        'terminated work never becomes ready',
      );
      const joins = spansOfCheck(run, 'A.10', { kind: 'wait', name: 'join', lane: 'Main' });
      assert.equal(joins.length, 3);
      assert.ok(joins.every((j) => j.status === 'ok'));
    });

    it('A.13 an uncloneable result reaches get() and errorCallback as MaybeEncodingError; the pool survives', () => {
      assertCheck(run, 'A.13');
      const [onError] = spansOfCheck(run, 'A.13', { kind: 'callback', name: 'a13OnError' });
      assert.equal(onError.cbKind, 'error');
      assert.equal(run.store.jobs.get(onError.job)!.status, 'error');
      const [after] = spansOfCheck(run, 'A.13', { kind: 'task', name: 'square' });
      assert.equal(after.status, 'ok');
    });

    it(`A.14 ${kind}(0) and negative sizes throw ValueError`, () => {
      assertCheck(run, 'A.14');
      assert.ok(
        [...run.store.pools.values()].every((p) => p.size >= 1),
        'a pool of size < 1 was created',
      );
    });
  });
}
