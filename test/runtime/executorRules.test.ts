// docs/SEMANTICS.md section B on the built runtime: ThreadPoolExecutor and ProcessPoolExecutor, Future
// and done callbacks. Each `it` reads one check of fixtures/executor-rules.ts (or, for the process
// kind, executor-rules-process.ts: the same checks) and asserts what the trace shows.
import assert from 'node:assert/strict';
import { assertCancelledTask, assertCheck, byStart, checkWindow, findings, runFixture, spansOfCheck, type Run } from './helpers';

const KINDS = [
  { kind: 'ThreadPoolExecutor', fixture: 'executor-rules.ts', error: 'BrokenThreadPool', cause: 'A thread initializer failed, the thread pool is not usable anymore' },
  {
    kind: 'ProcessPoolExecutor',
    fixture: 'executor-rules-process.ts',
    error: 'BrokenProcessPool',
    cause: 'A child process terminated abruptly, the process pool is not usable anymore',
  },
] as const;

for (const { kind, fixture, error, cause } of KINDS) {
  describe(`SEMANTICS B: ${kind} rules`, function () {
    let run: Run;
    before(async () => {
      run = await runFixture(fixture);
    });

    const jobStatus = (job: number) => run.store.jobs.get(job)?.status;

    it('the fixture ran every check and main returned', () => {
      assert.equal(run.outcome, 'returned', run.error?.message);
    });

    it('B.15 done callbacks run in the order added, on result, exception or a successful cancel(); a failed cancel() calls nothing', () => {
      assertCheck(run, 'B.15');
      const names = byStart(spansOfCheck(run, 'B.15', { kind: 'callback' })).map((s) => s.name);
      assert.deepEqual(names, ['b15OnCancel', 'b15First', 'b15Second', 'b15Third', 'b15OnError']);
      assert.ok(spansOfCheck(run, 'B.15', { kind: 'callback' }).every((s) => s.cbKind === 'done' && s.status === 'ok'));
      const cancelled = spansOfCheck(run, 'B.15', { kind: 'callback', name: 'b15OnCancel' })[0];
      assert.equal(jobStatus(cancelled.job), 'cancelled');
      assertCancelledTask(run, cancelled.job);
    });

    it("B.16 done callbacks run on the Callback lane; already-done and cancel() cases synchronously on the caller's lane", () => {
      assertCheck(run, 'B.16');
      const lane = (name: string) => run.laneOf(spansOfCheck(run, 'B.16', { kind: 'callback', name })[0]);
      assert.equal(lane('b16OnDone'), 'Callback');
      assert.equal(lane('b16OnCancel'), 'Main');
      assert.equal(lane('b16AlreadyDone'), 'Main');
    });

    it('B.17 a done callback that throws is logged with its stack; later callbacks run; the executor is unharmed', () => {
      assertCheck(run, 'B.17');
      const [raises] = spansOfCheck(run, 'B.17', { kind: 'callback', name: 'b17Raises' });
      const [after] = spansOfCheck(run, 'B.17', { kind: 'callback', name: 'b17After' });
      assert.equal(raises.status, 'threw');
      assert.equal(after.status, 'ok');
      assert.ok(after.start >= raises.end);
      const errLines = run.lines.filter((l) => l.stream === 'stderr' && l.ts >= raises.start);
      const stderr = errLines.map((l) => l.text);
      const at = stderr.findIndex((t) => /^exception calling callback for <Future .*state=finished returned number>$/.test(t));
      assert.ok(at >= 0, `no 'exception calling callback for <Future ...>' line in ${JSON.stringify(stderr)}`);
      assert.equal(errLines[at].lane, 'Callback', 'the log line is drawn on the lane the callback ran on');
      assert.equal(stderr[at + 1], 'Error: doh!');
      assert.match(stderr[at + 2], /at b17Raises \(.*executor-rules\.ts:\d+:\d+\)/);
      const threw = findings(run, 'callback-threw').find((f) => f.message.includes('b17Raises'));
      assert.ok(threw, 'callback-threw names b17Raises');
      assert.equal(threw.site?.line, raises.site?.line);
    });

    it("B.18 waiters on result() go before the done callbacks; a slow done callback delays other futures' callbacks", () => {
      assertCheck(run, 'B.18');
      const [flag] = spansOfCheck(run, 'B.18', { kind: 'callback', name: 'b18Flag' });
      const released = spansOfCheck(run, 'B.18', { kind: 'wait', name: 'result', lane: 'Main' }).find((w) => w.job === flag.job)!;
      assert.ok(released.end <= flag.start, 'the result() wait ended after the done callback started');
      const [slow] = spansOfCheck(run, 'B.18', { kind: 'callback', name: 'b18Slow' });
      const [other] = spansOfCheck(run, 'B.18', { kind: 'callback', name: 'b18Other' });
      const otherTask = spansOfCheck(run, 'B.18', { kind: 'task', name: 'gated' })[0];
      assert.ok(otherTask.end < slow.end, 'the other task finished while the slow callback ran');
      assert.ok(other.start >= slow.end, 'the other callback ran beside the slow one');
      assert.ok(findings(run, 'callback-blocked').some((f) => f.message.includes('b18Slow')));
    });

    it('B.19 result() rethrows the same error; exception() returns it or null; FuturesTimeoutError; CancelledError', () => {
      assertCheck(run, 'B.19');
      const waits = spansOfCheck(run, 'B.19', { kind: 'wait', lane: 'Main' });
      assert.deepEqual(
        waits.filter((w) => w.status === 'timeout').map((w) => w.name),
        ['result', 'exception'],
      );
      const [task] = spansOfCheck(run, 'B.19', { kind: 'task', name: 'boom' });
      assert.equal(task.status, 'error');
      assert.equal(task.text, 'Error: task error');
      assert.equal(run.store.jobs.get(task.job)?.retrieved, true);
      // Every wait is drawn as over, none left open to the trace end; the first result() on the
      // failed task ended in its error the moment the future was done.
      assert.deepEqual(
        waits.filter((w) => w.status === 'running').map((w) => w.name),
        [],
      );
      const first = waits.filter((w) => w.job === task.job && w.name === 'result')[0];
      assert.equal(first.status, 'error');
      assert.equal(first.end, run.store.jobs.get(task.job)?.readyAt);
    });

    it('B.20 executor.map: all submitted at once, input order, raises at the failing item then is exhausted, the rest cancelled, timeout from the call', () => {
      assertCheck(run, 'B.20');
      const parse = spansOfCheck(run, 'B.20', { kind: 'task', name: 'parseAfter' });
      const jobs = [...new Set(parse.map((s) => s.job))].map((j) => run.store.jobs.get(j)!);
      const mapJobs = [...run.store.jobs.values()].filter((j) => j.tasks.length === 1 && j.site?.line === jobs[0].site?.line && j.api === 'submit');
      assert.equal(mapJobs.length, 6, 'every item was submitted');
      const firstResultIn = Math.min(...mapJobs.filter((j) => j.resultIn !== undefined).map((j) => j.resultIn!));
      assert.ok(
        mapJobs.every((j) => j.submitted < firstResultIn),
        'an item was submitted after the first result came in: not all at once',
      );
      const failed = parse.filter((s) => s.status === 'error');
      assert.deepEqual(
        failed.map((s) => s.text),
        ['Error: not a number: x'],
      );
      const cancelled = mapJobs.filter((j) => j.status === 'cancelled');
      assert.ok(cancelled.length >= 1, 'no not-yet-started item was cancelled');
      for (const j of cancelled) assertCancelledTask(run, j.id);
      const timedOut = spansOfCheck(run, 'B.20', { kind: 'wait', name: 'result', status: 'timeout' });
      assert.equal(timedOut.length, 1, 'the map timeout is drawn as a timed-out wait');
      const [late] = spansOfCheck(run, 'B.20', { kind: 'task', name: 'signalThenWait' });
      assert.equal(late?.status, 'ok', 'the timed-out item ran on');
      assert.ok(run.store.jobs.get(late.job)!.resultIn! > timedOut[0].end, 'the timed-out item finished before the timeout');
      const [nap] = spansOfCheck(run, 'B.20', { kind: 'wait', name: 'sleep', lane: 'Main' });
      assert.ok(nap && timedOut[0].end <= nap.end, 'the wait outlasted the nap begun beside it: it waited a whole timeout, not what was left of it');
    });

    it(`B.21 a throwing initializer: "Exception in initializer:", pending futures and later submit()/map() fail with ${error}`, () => {
      assertCheck(run, 'B.21');
      const logged = run.lines.filter((l) => l.stream === 'stderr' && l.text === 'Exception in initializer:');
      assert.ok(logged.length >= 1 && logged.every((l) => l.lane.startsWith('Worker')), `"Exception in initializer:" printed on ${JSON.stringify(logged.map((l) => l.lane))}`);
      const broken = [...run.store.pools.values()].filter((p) => p.broken);
      assert.equal(broken.length, 1);
      assert.equal(broken[0].kind, kind);
      assert.equal(broken[0].broken?.cause, cause);
      const jobs = [...run.store.jobs.values()].filter((j) => j.pool === broken[0].id);
      assert.equal(jobs.length, 2);
      // Their tasks never ran: each is shown dropped from the queue, as a cancelled task.
      assert.ok(
        jobs.every((j) => j.status === 'error' && j.tasks.every((t) => run.spans.every((s) => s.taskId !== t || (s.kind === 'task' && s.status === 'cancelled')))),
        'a task of the broken executor ran',
      );
      const [finding] = findings(run, 'pool-broken');
      assert.ok(finding.message.startsWith(`${kind} is broken: initializer \`connect\` threw Error: cannot connect to db://nowhere`), finding.message);
    });

    it('B.22 after shutdown() submit()/map() throw RuntimeError; a second shutdown() does nothing; cancelFutures cancels what has not started', () => {
      assertCheck(run, 'B.22');
      const { begin } = checkWindow(run, 'B.22');
      const first = [...run.store.pools.values()].filter((p) => p.created >= begin).sort((a, b) => a.created - b.created)[0];
      assert.equal(run.store.marks.filter((m) => m.kind === 'shutdown' && m.pool === first.id).length, 1, 'a second shutdown() was recorded as another shutdown');
      const jobs = [...run.store.jobs.values()].filter((j) => j.pool === first.id);
      assert.deepEqual(
        jobs.map((j) => j.status),
        ['ok', 'cancelled', 'cancelled', 'cancelled'],
      );
    });

    it('B.23 non-Error throws are caught and put on the future', () => {
      assertCheck(run, 'B.23');
      const tasks = spansOfCheck(run, 'B.23', { kind: 'task', name: 'throwValue' });
      assert.equal(tasks.length, 4);
      assert.ok(tasks.every((t) => t.status === 'error'));
      assert.deepEqual(
        tasks.slice(0, 3).map((t) => t.text),
        ['"a plain string"', '42', "{ code: 7, detail: [ 'x' ] }"],
      );
    });
  });
}
