// docs/SEMANTICS.md A.7 and A.11: the two ThreadPool rules whose last word is a wait that can never
// return. Python hangs there; poolscope must end the run with a deadlock finding at that line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURES, findings, lineOf, runFixture, type Run } from './helpers';

function assertDeadlockAt(run: Run, fixture: string, waitingLine: string, waitName: string): void {
  assert.equal(run.outcome, 'deadlock', `outcome ${run.outcome}: ${run.error?.message}`);
  const line = lineOf(readFileSync(resolve(FIXTURES, fixture), 'utf8'), waitingLine);
  const [deadlock, ...more] = findings(run, 'deadlock');
  assert.ok(deadlock, 'no deadlock finding');
  assert.equal(more.length, 0);
  assert.equal(deadlock.severity, 'error');
  assert.equal(deadlock.site?.file, resolve(FIXTURES, fixture));
  assert.equal(deadlock.site?.line, line, `the deadlock points at line ${deadlock.site?.line}, not at the waiting line ${line}`);
  assert.equal(run.error?.site?.line, line, 'the run error names the waiting line');
  const wait = run.spans.find((s) => s.kind === 'wait' && s.name === waitName && s.site?.line === line);
  assert.ok(wait, `no ${waitName} wait span at line ${line}`);
  assert.equal(wait.status, 'running', 'the wait never returned');
  // The outcome 'deadlock' (not the run's timeout) says the run ended because it saw the wait
  // was hopeless: it began after the pool broke, lost its result handler or saw its initializer
  // fail in every worker (a Pool, which is not broken by that: it replaces them), or they came after.
  const pool = [...run.store.pools.values()].at(-1)!;
  const failedInits = run.spans.filter((s) => s.kind === 'init' && s.status === 'error' && run.store.laneById(s.lane)?.pool === pool.id);
  const lanesFailed = new Set(failedInits.map((s) => s.lane)).size === pool.size;
  assert.ok(pool.broken || pool.handlerDied || lanesFailed, 'the pool is neither broken nor without a result handler, nor did its initializer fail in every worker');
  const initsFailed = lanesFailed
    ? Math.min(...[...new Set(failedInits.map((s) => s.lane))].map((lane) => Math.min(...failedInits.filter((s) => s.lane === lane).map((s) => s.end))))
    : 0;
  const hopeless = Math.max(wait.start, pool.broken?.ts ?? 0, pool.handlerDied?.ts ?? 0, initsFailed);
  assert.ok(run.store.end >= hopeless, 'the run ended before the wait became hopeless');
  assert.ok(!run.lines.some((l) => l.text.startsWith('unreachable')), 'main went on past the hopeless wait');
}

describe('SEMANTICS A: rules that end in a deadlock', function () {
  describe('A.7 (get)', () => {
    let run: Run;
    before(async () => {
      run = await runFixture('handler-dies.ts');
    });

    it('A.7 a throwing callback kills the result handler: get() without timeout is a deadlock', () => {
      // The fixture's own asserts (get(300) TimeoutError, wait(50) not ready, a new job accepted
      // but never completed, terminate() AssertionError) all passed if it reached this line:
      assert.ok(
        run.lines.some((l) => l.lane === 'Main' && l.text === 'waiting without a timeout'),
        `main stopped early: ${run.error?.message}`,
      );
      assertDeadlockAt(run, 'handler-dies.ts', 'await second.get(); // the deadlock', 'get');
      const [explode] = run.spans.filter((s) => s.kind === 'callback' && s.name === 'explode');
      assert.equal(explode.status, 'threw');
      assert.equal(run.laneOf(explode), 'Callback');
      assert.match(explode.text ?? '', /^Error: callback cannot handle 2/);
      const logged = run.lines.filter((l) => l.lane === 'Callback' && l.stream === 'stderr').map((l) => l.text);
      assert.equal(logged[0], 'Exception in thread Callback (_handle_results):');
      assert.ok(
        logged.some((t) => /at explode \(.*handler-dies\.ts:\d+:\d+\)/.test(t)),
        'the throw is reported with its stack',
      );
      const pool = [...run.store.pools.values()][0];
      assert.ok(pool.handlerDied, 'the pool records its result handler died');
      // The second task ran, but its job never became ready.
      const jobs = [...run.store.jobs.values()];
      assert.equal(jobs.length, 2);
      assert.ok(
        jobs.every((j) => j.status === 'pending'),
        'a job became ready after the result handler died',
      );
      assert.ok(
        run.spans.filter((s) => s.kind === 'task').every((t) => t.status === 'ok'),
        'the tasks themselves did not succeed',
      );
      const [deadlock] = findings(run, 'deadlock');
      assert.ok(
        deadlock.related.some((r) => r.message.includes('explode') && r.site?.line === explode.site?.line),
        'the deadlock points at the throwing callback',
      );
      const [threw] = findings(run, 'callback-threw');
      assert.equal(threw.site?.line, explode.site?.line);
    });

    it('A.7 close() + join() after the handler died is a deadlock too', async () => {
      const joinRun = await runFixture('handler-dies-join.ts');
      assertDeadlockAt(joinRun, 'handler-dies-join.ts', 'await pool.join(); // the deadlock', 'join');
      assert.equal(findings(joinRun, 'callback-threw')[0]?.message.includes('explodeOnMap'), true);
    });
  });

  for (const [kind, fixture] of [
    ['ThreadPool', 'keyerror-swallowed.ts'],
    ['Pool', 'keyerror-swallowed-process.ts'],
  ] as const) {
    describe(`A.7a (${kind})`, () => {
      let run: Run;
      before(async () => {
        run = await runFixture(fixture);
      });

      it(`A.7a ${kind}: a callback that throws KeyError is swallowed: that job never becomes ready, later jobs complete, nothing is printed; get() on it is a deadlock`, () => {
        assert.ok(
          run.lines.some((l) => l.lane === 'Main' && l.text === 'waiting without a timeout'),
          `main stopped early: ${run.error?.message}`,
        );
        assert.equal(run.outcome, 'deadlock', `outcome ${run.outcome}: ${run.error?.message}`);
        const src = readFileSync(resolve(FIXTURES, 'keyerror-swallowed.ts'), 'utf8');
        const line = lineOf(src, 'await looked.get(); // the deadlock');
        const [deadlock, ...more] = findings(run, 'deadlock');
        assert.equal(more.length, 0);
        assert.equal(deadlock?.site?.line, line, `the deadlock points at line ${deadlock?.site?.line}, not at the waiting line ${line}`);
        assert.match(run.store.meta.deadlock?.reason ?? '', /callback `lookUp` threw KeyError: no row 2, which the pool's result handler swallows/);
        const callbacks = run.spans.filter((s) => s.kind === 'callback');
        assert.deepEqual(callbacks.map((c) => `${c.name} ${c.status}`).sort(), ['lookUp threw', 'lookUpError threw']);
        assert.ok(callbacks.every((c) => run.laneOf(c) === 'Callback' && /^KeyError: no (row 2|handler)/.test(c.text ?? '')));
        assert.deepEqual(
          run.lines.filter((l) => l.stream === 'stderr').map((l) => l.text),
          [],
          'something was printed',
        );
        const pool = [...run.store.pools.values()][0];
        assert.equal(pool.handlerDied, undefined, 'the result handler died');
        const jobs = [...run.store.jobs.values()];
        assert.deepEqual(
          jobs.map((j) => j.status),
          ['pending', 'pending', 'ok', 'ok'],
          'the swallowed jobs never became ready; the later ones did',
        );
      });
    });
  }

  for (const [kind, fixture] of [
    ['ThreadPool', 'init-fails.ts'],
    ['Pool', 'init-fails-process.ts'],
  ] as const) {
    describe(`A.11 (${kind})`, () => {
      let run: Run;
      before(async () => {
        run = await runFixture(fixture);
      });

      it(`A.11 ${kind}: a throwing initializer: no task runs, no callback fires, get(timeout) times out, terminate() works, close()+join() never returns`, () => {
        assert.ok(
          run.lines.some((l) => l.text === 'terminate() and join() returned'),
          `main stopped early: ${run.error?.message}`,
        );
        assertDeadlockAt(run, 'init-fails.ts', 'await closed.join(); // the deadlock', 'join');
        assert.equal(run.spans.filter((s) => (s.kind === 'task' && s.status !== 'cancelled') || s.kind === 'callback').length, 0, 'a task or callback ran');
        assert.ok(
          run.spans.some((s) => s.kind === 'task' && s.status === 'cancelled'),
          'the tasks terminate() dropped are not shown as cancelled',
        );
        const inits = run.spans.filter((s) => s.kind === 'init');
        // A respawned worker may be cut off inside its initializer when the run ends: 'running'.
        assert.ok(
          inits.every((s) => (s.status === 'error' || s.status === 'running') && s.name === 'connect' && /^Worker \d+$/.test(run.laneOf(s))),
          `an init span is not a failed \`connect\` on a worker lane: ${JSON.stringify(inits.map((s) => [run.laneOf(s), s.name, s.status]))}`,
        );
        const [, second] = [...run.store.pools.keys()];
        const initLanesOf = (pool: number) => new Set(inits.filter((s) => run.store.laneById(s.lane)?.pool === pool).map((s) => s.lane));
        assert.equal(initLanesOf(second).size, 2, 'the joined pool is declared broken only once both its workers failed');
        const stderr = run.lines.filter((l) => l.stream === 'stderr').map((l) => `${l.lane}: ${l.text}`);
        assert.ok(
          stderr.some((l) => /^Worker \d+: Exception in initializer:$/.test(l)),
          `no "Exception in initializer:" on a worker lane in ${JSON.stringify(stderr)}`,
        );
        const pools = [...run.store.pools.values()];
        assert.equal(pools.length, 2);
        assert.ok(pools.every((p) => p.kind === kind));
        assert.ok(pools[0].terminated !== undefined, 'the first pool was not terminated');
        // A ThreadPool left without workers is broken; a Pool goes on replacing them.
        assert.equal(pools[1].broken !== undefined, kind === 'ThreadPool', `the joined ${kind} is${pools[1].broken ? '' : ' not'} marked broken`);
      });

      if (kind === 'ThreadPool') {
        it('A.11 ThreadPool: a worker whose initializer threw is not replaced (as in CPython); pool-broken names the initializer', () => {
          const first = [...run.store.pools.values()][0];
          const inits = run.spans.filter((s) => s.kind === 'init' && run.store.laneById(s.lane)?.pool === first.id);
          assert.equal(inits.length, 2, `the initializer ran ${inits.length} times in a pool of 2 threads`);
          assert.equal(first.respawns, 0);
          assert.equal(run.store.marks.filter((m) => m.kind === 'respawn').length, 0, 'a respawn was drawn');
          // A thread seen to end after its initializer threw is drawn dying of it (one cut off by
          // terminate() on its way out is drawn as ended by the pool).
          const died = run.store.marks.filter((m) => m.kind === 'worker-died' && m.pool === first.id);
          assert.ok(
            died.every((m) => m.text?.startsWith('initializer `connect` threw Error: cannot connect to db://first')),
            JSON.stringify(died.map((m) => m.text)),
          );
          const broken = findings(run, 'pool-broken');
          assert.ok(
            broken.length >= 1 && broken.every((f) => f.message.startsWith('ThreadPool is broken: initializer `connect` threw')),
            JSON.stringify(broken.map((f) => f.message)),
          );
        });
      } else {
        it('A.11 Pool: each worker is replaced as soon as it dies, at most once per 200 ms, each replacement drawn with its new pid and counted', () => {
          const first = [...run.store.pools.values()][0];
          assert.ok(first.respawns >= 4, `${first.respawns} respawns before main saw 6 initializer runs`);
          const marks = run.store.marks.filter((m) => m.pool === first.id);
          assert.equal(marks.filter((m) => m.kind === 'respawn').length, first.respawns, 'each respawn is drawn');
          const starts = marks.filter((m) => m.kind === 'worker-start');
          assert.equal(starts.filter((m) => m.replaces).length, first.respawns, 'each respawn starts a worker that replaces one');
          for (const lane of new Set(starts.map((m) => m.lane))) {
            const onLane = starts.filter((m) => m.lane === lane).sort((a, b) => a.ts - b.ts);
            assert.equal(new Set(onLane.map((m) => m.pid)).size, onLane.length, `lane ${lane} reused a pid: each replacement is a new process`);
            for (let i = 1; i < onLane.length; i++)
              assert.ok(onLane[i].ts - onLane[i - 1].ts >= 200_000, `lane ${lane} restarted ${(onLane[i].ts - onLane[i - 1].ts) / 1000} ms after its last start`);
          }
          const died = marks.filter((m) => m.kind === 'worker-died');
          assert.ok(
            died.length >= first.respawns && died.every((m) => m.exitCode === 1 && m.text?.startsWith('initializer `connect` threw')),
            JSON.stringify(died.map((m) => [m.exitCode, m.text])),
          );
          const [respawned] = findings(run, 'initializer-respawn');
          assert.ok(respawned, `no initializer-respawn finding among ${JSON.stringify(run.findings.map((f) => f.rule))}`);
          assert.match(respawned.message, /^initializer `connect` threw Error: cannot connect to db:\/\/first/);
        });
      }
    });
  }
});
