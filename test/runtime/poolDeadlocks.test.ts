// SEMANTICS.md A.7 and A.11: the two ThreadPool rules whose last word is a wait that can never
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
  // was hopeless: it began after the pool broke or lost its result handler, or they came after.
  const pool = [...run.store.pools.values()].at(-1)!;
  assert.ok(pool.broken || pool.handlerDied, 'the pool is neither broken nor without a result handler');
  const hopeless = Math.max(wait.start, pool.broken?.ts ?? 0, pool.handlerDied?.ts ?? 0);
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
      assert.ok(run.lines.some((l) => l.lane === 'Main' && l.text === 'waiting without a timeout'), `main stopped early: ${run.error?.message}`);
      assertDeadlockAt(run, 'handler-dies.ts', 'await second.get(); // the deadlock', 'get');
      const [explode] = run.spans.filter((s) => s.kind === 'callback' && s.name === 'explode');
      assert.equal(explode.status, 'threw');
      assert.equal(run.laneOf(explode), 'Callback');
      assert.match(explode.text ?? '', /^Error: callback cannot handle 2/);
      const logged = run.lines.filter((l) => l.lane === 'Callback' && l.stream === 'stderr').map((l) => l.text);
      assert.equal(logged[0], 'Exception in thread Callback (_handle_results):');
      assert.ok(logged.some((t) => /at explode \(.*handler-dies\.ts:\d+:\d+\)/.test(t)), 'the throw is reported with its stack');
      const pool = [...run.store.pools.values()][0];
      assert.ok(pool.handlerDied, 'the pool records its result handler died');
      // The second task ran, but its job never became ready.
      const jobs = [...run.store.jobs.values()];
      assert.equal(jobs.length, 2);
      assert.ok(jobs.every((j) => j.status === 'pending'), 'a job became ready after the result handler died');
      assert.ok(run.spans.filter((s) => s.kind === 'task').every((t) => t.status === 'ok'), 'the tasks themselves did not succeed');
      const [deadlock] = findings(run, 'deadlock');
      assert.ok(deadlock.related.some((r) => r.message.includes('explode') && r.site?.line === explode.site?.line), 'the deadlock points at the throwing callback');
      const [threw] = findings(run, 'callback-threw');
      assert.equal(threw.site?.line, explode.site?.line);
    });

    it('A.7 close() + join() after the handler died is a deadlock too', async () => {
      const joinRun = await runFixture('handler-dies-join.ts');
      assertDeadlockAt(joinRun, 'handler-dies-join.ts', 'await pool.join(); // the deadlock', 'join');
      assert.equal(findings(joinRun, 'callback-threw')[0]?.message.includes('explodeOnMap'), true);
    });
  });

  describe('A.11', () => {
    let run: Run;
    before(async () => {
      run = await runFixture('init-fails.ts');
    });

    it('A.11 a throwing initializer: no task runs, no callback fires, terminate() works, close()+join() never returns', () => {
      assert.ok(run.lines.some((l) => l.text === 'terminate() and join() returned'), `main stopped early: ${run.error?.message}`);
      assertDeadlockAt(run, 'init-fails.ts', 'await closed.join(); // the deadlock', 'join');
      assert.equal(run.spans.filter((s) => (s.kind === 'task' && s.status !== 'cancelled') || s.kind === 'callback').length, 0, 'a task or callback ran');
      assert.ok(run.spans.some((s) => s.kind === 'task' && s.status === 'cancelled'), 'the tasks terminate() dropped are not shown as cancelled');
      const inits = run.spans.filter((s) => s.kind === 'init');
      // A respawned worker may be cut off inside its initializer when the run ends: 'running'.
      assert.ok(
        inits.every((s) => (s.status === 'error' || s.status === 'running') && s.name === 'connect' && /^Worker \d+$/.test(run.laneOf(s))),
        `an init span is not a failed \`connect\` on a worker lane: ${JSON.stringify(inits.map((s) => [run.laneOf(s), s.name, s.status]))}`,
      );
      assert.ok(inits.filter((s) => s.status === 'error').length >= 2);
      const [, second] = [...run.store.pools.keys()];
      const initLanesOf = (pool: number) => new Set(inits.filter((s) => run.store.laneById(s.lane)?.pool === pool).map((s) => s.lane));
      assert.equal(initLanesOf(second).size, 2, 'the joined pool is declared broken only once both its workers failed');
      const stderr = run.lines.filter((l) => l.stream === 'stderr').map((l) => `${l.lane}: ${l.text}`);
      assert.ok(stderr.some((l) => /^Worker \d+: Exception in initializer:$/.test(l)), `no "Exception in initializer:" on a worker lane in ${JSON.stringify(stderr)}`);
      const pools = [...run.store.pools.values()];
      assert.equal(pools.length, 2);
      assert.ok(pools[0].terminated !== undefined, 'the first pool was not terminated');
      assert.ok(pools[1].broken, 'the joined pool is marked broken');
      const broken = findings(run, 'pool-broken');
      assert.ok(broken.length >= 1, `no pool-broken finding among ${JSON.stringify(run.findings.map((f) => f.rule))}`);
      assert.ok(broken.every((f) => f.message.startsWith('ThreadPool is broken: initializer `connect` threw')), JSON.stringify(broken.map((f) => f.message)));
    });
  });
});
