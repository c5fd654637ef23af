// Each example's lesson, asserted on its run: lanes, callback order and lane, printed lines, findings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXAMPLES, assertCancelledTask, assertResultTimes, findings, lineOf, ms, runExample, type Run } from './helpers';

const source = (name: string) => readFileSync(resolve(EXAMPLES, name), 'utf8');
const said = (run: Run) => run.lines.filter((l) => l.stream === 'stdout').map((l) => `${l.lane}: ${l.text}`);
const callbacks = (run: Run, name: string) => run.spans.filter((s) => s.kind === 'callback' && s.name === name);
/**
 * Findings about the program rather than about the machine: on a loaded machine the OS can
 * pause main's thread for 100 ms and more, which the timing rules rightly report.
 */
const programFindings = (run: Run) => run.findings.filter((f) => f.rule !== 'main-blocked' && f.rule !== 'callback-blocked');

function assertWorkerLanes(run: Run): void {
  const names = run.store.lanes.map((l) => l.name);
  assert.deepEqual(names.slice(0, 2), ['Main', 'Callback']);
  assert.ok(
    names.slice(2).every((n, i) => n === `Worker ${i + 1}`),
    `lanes ${names}`,
  );
  for (const t of run.spans.filter((s) => s.kind === 'task')) assert.match(run.laneOf(t), /^Worker \d+$/);
}

describe('examples: each lesson', function () {
  it('apply-callback: the callback gets each return value, on the Callback lane', async () => {
    const run = await runExample('apply-callback.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assertWorkerLanes(run);
    const collect = callbacks(run, 'collect');
    assert.equal(collect.length, 4);
    assert.ok(collect.every((c) => run.laneOf(c) === 'Callback' && c.cbKind === 'result' && c.status === 'ok'));
    const lines = said(run);
    assert.deepEqual(
      lines
        .filter((l) => l.startsWith('Callback: '))
        .map((l) => l.replace(/\d+/, 'N'))
        .sort(),
      Array(4).fill('Callback: callback got N on Callback'),
    );
    assert.equal(lines.at(-1), 'Main: results 1,4,9,16');
    assertResultTimes(run);
    assert.deepEqual(programFindings(run), []);
  });

  it('callback-blocks: a blocking callback holds every later result back (callback-blocked on slowHandler)', async () => {
    const run = await runExample('callback-blocks.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assertWorkerLanes(run);
    const slow = callbacks(run, 'slowHandler').filter((c) => ms(c.end - c.start) >= 590);
    assert.equal(slow.length, 1, 'one slowHandler call blocked for 600 ms');
    const blocked = findings(run, 'callback-blocked').find((f) => f.spans[0] === slow[0].index);
    assert.ok(blocked, 'no callback-blocked finding on the 600 ms slowHandler call');
    assert.equal(blocked.site?.line, lineOf(source('callback-blocks.ts'), 'callback: function slowHandler'));
    const others = [...run.store.jobs.values()].filter((j) => j.id !== slow[0].job);
    assert.ok(!others.some((j) => j.readyAt! > slow[0].start && j.readyAt! < slow[0].end), 'a result became ready while the callback blocked');
    // The first callback blocks; every other result becomes ready only after it. The 7 other
    // tasks (20 ms each) finish within its 600 ms unless a busy machine starts the pool's
    // threads later than that; each that did finish meanwhile waited behind it.
    assert.ok(
      others.every((j) => j.readyAt! >= slow[0].end),
      'a result became ready before the blocking callback ended',
    );
    const behind = others.filter((j) => run.spans.some((s) => s.kind === 'task' && s.job === j.id && s.end < slow[0].end));
    assert.ok(behind.length >= 1, 'no task finished while the callback blocked');
    assert.match(blocked.message, new RegExp(`; ${behind.length} results? waited behind it$`));
    const printed = Number(/^Main: all 8 results ready after (\d+) ms/.exec(said(run).at(-1) ?? '')?.[1]);
    assert.ok(printed >= 600, `main saw all results after ${printed} ms`);
  });

  it('callback-thread: tasks on workers, callbacks on the Callback lane, never inside applyAsync', async () => {
    const run = await runExample('callback-thread.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assertWorkerLanes(run);
    const lines = said(run);
    assert.deepEqual(lines.slice(0, 2), ['Main: main runs on Main', 'Main: applyAsync returned before any callback ran, on Main']);
    assert.equal(lines.length, 6);
    for (const l of lines.slice(2)) assert.match(l, /^Callback: task ran on Worker \d; its callback runs on Callback$/);
    assert.ok(callbacks(run, 'report').every((c) => run.laneOf(c) === 'Callback'));
    assert.deepEqual(programFindings(run), []);
  });

  it('callback-throws: outcome deadlock (not the run timeout), at `await second.get()`, with callback-threw at `explode`', async () => {
    const run = await runExample('callback-throws.ts');
    const src = source('callback-throws.ts');
    assert.equal(run.outcome, 'deadlock', run.error?.message);
    const [deadlock] = findings(run, 'deadlock');
    assert.equal(deadlock.site?.line, lineOf(src, 'await second.get()'));
    const explodeLine = lineOf(src, 'callback: function explode');
    assert.ok(
      deadlock.related.some((r) => r.site?.line === explodeLine),
      'the deadlock finding points at the throwing callback',
    );
    const [threw] = findings(run, 'callback-threw');
    assert.equal(threw.site?.line, explodeLine);
    assert.match(threw.message, /^callback `explode` threw Error: callback cannot handle 2/);
    assert.deepEqual(said(run), ['Main: after 500 ms, ready() is false', 'Main: waiting for the second result...']);
    const [explode] = callbacks(run, 'explode');
    assert.equal(run.laneOf(explode), 'Callback');
    assert.equal(explode.status, 'threw');
  });

  it('callback-timing: the callback waits for main to yield (main-blocked at sleepSync), and runs before get() returns', async () => {
    const run = await runExample('callback-timing.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.deepEqual(said(run), ['Main: main woke up -> callback(2) -> get() -> 2']);
    const [sleep] = run.spans.filter((s) => s.kind === 'wait' && s.name === 'sleepSync');
    const [record] = callbacks(run, 'record');
    const [task] = run.spans.filter((s) => s.kind === 'task' && s.job === record.job);
    assert.ok(record.start >= sleep.end, 'the callback ran while main was blocked');
    assert.ok(record.start >= run.store.jobs.get(record.job)!.resultIn!);
    assert.equal(run.laneOf(record), 'Callback');
    // The example warms the pool up first, so its task finishes during main's block and its
    // result waits for main to yield.
    assert.ok(task.end < sleep.end, `the task ended ${ms(task.end - sleep.end)} ms after main's block`);
    // A busy machine can pause main elsewhere too; the finding the lesson is about is at its sleepSync.
    const line = lineOf(source('callback-timing.ts'), 'sleepSync(300)');
    assert.ok(
      findings(run, 'main-blocked').some((f) => f.site?.line === line),
      `no main-blocked finding at line ${line}`,
    );
  });

  it('done-callbacks: order and lane of each printed line', async () => {
    const run = await runExample('done-callbacks.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const lines = said(run);
    // The cancel callback runs inside cancel(), in the caller; first and second run in the order
    // added, on the Callback lane; `late` runs at once in main. Whether main adds `late` before
    // or after the Callback lane gets to first/second depends on when the failing task finishes.
    assert.deepEqual(lines.slice(0, 2), ["Main: cancelled future's callback, cancelled()=true, on Main", 'Main: cancel() -> true']);
    assert.deepEqual(
      [...lines].sort(),
      [
        "Main: cancelled future's callback, cancelled()=true, on Main",
        'Callback: first, on Callback',
        'Callback: second',
        'Main: added after done: runs at once, on Main',
        'Main: cancel() -> true',
        'Main: done callback of a failed future sees: task failed',
      ].sort(),
    );
    assert.ok(lines.indexOf('Callback: first, on Callback') < lines.indexOf('Callback: second'), 'done callbacks ran out of the order added');
    const lane = (name: string) => run.laneOf(callbacks(run, name)[0]);
    assert.deepEqual(['onCancel', 'first', 'second', 'onFailure', 'late'].map(lane), ['Main', 'Callback', 'Callback', 'Callback', 'Main']);
    assert.deepEqual(programFindings(run), []);
  });

  it('error-callback: the error callback sees one error of three (errors-unseen), get() rejects with the same object', async () => {
    const run = await runExample('error-callback.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const lines = said(run);
    assert.match(lines[0], /^Callback: error callback saw: odd input [135]$/);
    assert.deepEqual(lines.slice(1), [
      'Main: error callback calls: 1; successful(): false',
      'Main: get() rejects with the same object: true',
      'Callback: applyAsync error callback: apply failed',
    ]);
    const [unseen, ...more] = findings(run, 'errors-unseen');
    assert.equal(more.length, 0);
    assert.match(unseen.message, /^error callback `onError` saw 1 of 3 errors/);
    // The finding names the error the callback really got, and the other two as unseen.
    const got = /odd input (\d)$/.exec(lines[0])![1];
    assert.ok(unseen.message.includes(`(Error: odd input ${got})`), unseen.message);
    assert.ok(
      unseen.related.every((r) => !r.message.endsWith(`odd input ${got}`)),
      'the error the callback got is listed as unseen',
    );
    assert.equal(unseen.site?.line, lineOf(source('error-callback.ts'), 'pool.mapAsync(check'));
    assert.equal(unseen.related.filter((r) => r.message.includes('also failed, unseen')).length, 2);
    assert.ok(callbacks(run, 'onError').every((c) => c.cbKind === 'error' && run.laneOf(c) === 'Callback'));
  });

  it('executor-map-raises: results in order, the third item raises, the rest is cancelled', async () => {
    const run = await runExample('executor-map-raises.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.deepEqual(said(run), ['Main: map raised at the third item: not a number: "three"', 'Main: results before the error: 1, 2']);
    const jobs = [...run.store.jobs.values()];
    assert.equal(jobs.length, 6);
    const firstResultIn = Math.min(...jobs.filter((j) => j.resultIn !== undefined).map((j) => j.resultIn!));
    assert.ok(
      jobs.every((j) => j.submitted < firstResultIn),
      'map did not submit every item before the first result came in',
    );
    assert.equal(jobs[2].status, 'error');
    // Items that had not started when the error reached main are cancelled and never run: the
    // timeline shows each as a cancelled task of no length on the pool's worker lane, after its
    // time in the queue. The others had started and ran to the end. None is left pending.
    for (const j of jobs.slice(3)) {
      const task = run.spans.find((s) => s.kind === 'task' && s.job === j.id);
      assert.ok(task, `item ${j.id} has no task span`);
      if (j.status === 'cancelled') {
        assertCancelledTask(run, j.id);
        assert.equal(task.name, 'parse');
      } else assert.ok(task.status === 'ok' && j.status === 'ok', `item ${j.id} was neither cancelled nor run (${j.status})`);
    }
  });

  it('failing-initializer: pool-broken for both pools, BrokenThreadPool, then a deadlock at join()', async () => {
    const run = await runExample('failing-initializer.ts');
    assert.equal(run.outcome, 'deadlock', run.error?.message);
    assert.deepEqual(said(run), [
      'Main: future failed: BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore',
      'Main: submit after: BrokenThreadPool',
      'Main: joining a pool whose workers can never start...',
    ]);
    const broken = findings(run, 'pool-broken')
      .map((f) => f.message.split(':')[0])
      .sort();
    assert.deepEqual(broken, ['ThreadPool is broken', 'ThreadPoolExecutor is broken']);
    const [deadlock] = findings(run, 'deadlock');
    assert.equal(deadlock.site?.line, lineOf(source('failing-initializer.ts'), 'await pool.join()'));
    assert.ok(
      run.lines.some((l) => l.lane.startsWith('Worker') && l.stream === 'stderr' && l.text === 'Exception in initializer:'),
      "the initializer's exception is not printed on a worker lane",
    );
  });

  it('map-callbacks: one callback per map with the whole list in input order; none for an empty map', async () => {
    const run = await runExample('map-callbacks.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const lines = said(run);
    assert.deepEqual([...lines].sort(), [
      'Callback: mapAsync callback, once, in input order: 1, 8, 27, 64',
      'Callback: starmapAsync callback: 8, 9, 1',
      'Main: empty map ready at once: true, value []',
    ]);
    assert.equal(lines.at(-1), 'Main: empty map ready at once: true, value []');
    for (const name of ['onCubes', 'onPowers']) {
      const cbs = callbacks(run, name);
      assert.equal(cbs.length, 1);
      assert.equal(run.laneOf(cbs[0]), 'Callback');
      assert.ok(cbs[0].start >= run.store.jobs.get(cbs[0].job)!.resultIn!, `${name} ran before every chunk's result was in`);
    }
  });

  it("shared-state: callbacks update main's variables; workers keep their own copy", async () => {
    const run = await runExample('shared-state.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.deepEqual(said(run), ["Main: callbacks updated main's object: sum=150, calls=5", "Main: main's copy of the workers' counter is still 0"]);
    assert.equal(callbacks(run, 'addUp').filter((c) => run.laneOf(c) === 'Callback').length, 5);
  });

  it('pool-callbacks-parent: tasks run in child processes, their callbacks in the parent (pids printed)', async () => {
    const run = await runExample('pool-callbacks-parent.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const [first, ...rest] = said(run);
    const mainPid = /^Main: main runs in pid (\d+)$/.exec(first)?.[1];
    assert.ok(mainPid, first);
    assert.equal(rest.length, 3);
    for (const line of rest) {
      const m = /^Main: task \d ran in pid (\d+) on Worker \d; its callback ran in pid (\d+) on Callback$/.exec(line);
      assert.ok(m, line);
      assert.notEqual(m[1], mainPid, 'a task ran in the parent');
      assert.equal(m[2], mainPid, 'a callback ran in a child');
    }
    const workerPids = new Set(run.store.lanes.filter((l) => l.kind === 'worker').map((l) => String(l.pid)));
    assert.ok(
      rest.every((l) => workerPids.has(/ran in pid (\d+) on Worker/.exec(l)![1])),
      'the lanes do not show the pids the tasks printed',
    );
    assert.ok(callbacks(run, 'report').every((c) => run.laneOf(c) === 'Callback'));
    assert.deepEqual(programFindings(run), []);
  });

  it("process-initializer-fails: BrokenProcessPool with both of Python's messages, pool-broken at the initializer", async () => {
    const run = await runExample('process-initializer-fails.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const pending = 'Main: future failed: BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending.';
    assert.deepEqual(said(run), [
      pending,
      pending,
      pending,
      'Main: submit() after: BrokenProcessPool: A child process terminated abruptly, the process pool is not usable anymore',
    ]);
    const [broken, ...more] = findings(run, 'pool-broken');
    assert.equal(more.length, 0);
    assert.match(broken.message, /^ProcessPoolExecutor is broken: initializer `connect` threw Error: cannot connect to db:\/\/nowhere/);
    assert.equal(broken.site?.line, lineOf(source('process-initializer-fails.ts'), 'export function connect'));
    assert.ok(run.lines.some((l) => l.lane.startsWith('Worker') && l.stream === 'stderr' && l.text === 'Exception in initializer:'));
  });

  it('process-task-errors: an error handled in the task, thrown by result(), returned by exception(); the one nobody asked for is error-unretrieved', async () => {
    const run = await runExample('process-task-errors.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    // Lines in the order they were printed, on the run's one clock, whichever process printed them.
    const inOrder = run.lines
      .filter((l) => l.stream === 'stdout')
      .sort((a, b) => a.ts - b.ts)
      .map((l) => `${l.lane}: ${l.text}`);
    assert.match(inOrder[0], /^Worker 1: handled inside the task, in pid \d+: not a number: "x"$/);
    assert.deepEqual(inOrder.slice(1), [
      'Main: inside the task: -1',
      'Main: result() threw ValueError: not a number: "y"',
      'Main: exception() returned ValueError: not a number: "z"',
      'Main: exception() of a success: null',
    ]);
    const [unretrieved, ...more] = findings(run, 'error-unretrieved');
    assert.equal(more.length, 0, 'an error that was looked at is reported as never looked at');
    assert.match(unretrieved.message, /^`parse` failed with ValueError: not a number: "w"/);
    assert.ok(unretrieved.related.some((r) => r.site?.line === lineOf(source('process-task-errors.ts'), "ex.submit(parse, 'w')")));
  });

  it('process-map-raises: results in order, the third item raises, the rest is cancelled, across processes', async () => {
    const run = await runExample('process-map-raises.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.deepEqual(said(run), ['Main: map raised at the third item: not a number: "three"', 'Main: results before the error: 1, 2']);
    const jobs = [...run.store.jobs.values()];
    assert.equal(jobs.length, 6);
    assert.equal(jobs[2].status, 'error');
    assert.ok(
      jobs.slice(3).some((j) => j.status === 'cancelled'),
      'no item after the failure was cancelled',
    );
    for (const j of jobs.slice(3).filter((j) => j.status === 'cancelled')) assertCancelledTask(run, j.id);
    assert.equal([...run.store.pools.values()][0].kind, 'ProcessPoolExecutor');
  });

  it('worker-exits: process.exit() in a task loses it with its process; the Pool starts another; worker-crashed, then a deadlock at join()', async () => {
    const run = await runExample('worker-exits.ts');
    assert.equal(run.outcome, 'deadlock', run.error?.message);
    const lines = said(run);
    const dead = /^Worker 1: no missing: giving up the whole process (\d+)$/.exec(lines[0])?.[1];
    const alive = /^Main: present found in pid (\d+)$/.exec(lines[1])?.[1];
    assert.ok(dead && alive && dead !== alive, JSON.stringify(lines));
    assert.equal(lines[2], 'Main: get(1000) timed out: the task was lost with its worker (ready: false)');
    const [crashed] = findings(run, 'worker-crashed');
    assert.ok(crashed, 'no worker-crashed finding');
    assert.match(crashed.message, new RegExp(`^Worker 1 \\(pid ${dead}\\) of the Pool exited with code 1 while running \`lookUp\``));
    assert.ok(crashed.related.some((r) => r.site?.line === lineOf(source('worker-exits.ts'), "pool.applyAsync(lookUp, ['missing'])")));
    const [deadlock] = findings(run, 'deadlock');
    assert.equal(deadlock.site?.line, lineOf(source('worker-exits.ts'), 'await pool.join()'));
  });

  it('maxtasksperchild: a new process every 2 tasks, a map chunk one task; what a process remembered goes with it', async () => {
    const run = await runExample('maxtasksperchild.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const lines = said(run).map((l) => l.replace(/pid \d+/, 'pid P'));
    assert.deepEqual(lines, [
      'Main: pid P has seen 1',
      'Main: pid P has seen 1, 2',
      'Main: pid P has seen 3',
      'Main: pid P has seen 3, 4',
      'Main: pid P has seen 5',
      'Main: a map in chunks of 3 is two tasks: pid P has seen 9, 10, 11',
    ]);
    const starts = run.store.marks.filter((m) => m.kind === 'worker-start');
    assert.deepEqual(
      starts.map((m) => !!m.replaces),
      [false, true, true, true],
      'one process, then a new one every 2 tasks',
    );
    assert.equal(new Set(starts.map((m) => m.pid)).size, 4);
    assert.deepEqual(programFindings(run), []);
  });
});
