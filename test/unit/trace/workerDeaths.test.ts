// The trace of workers that die: the builder, fed the records the runtime writes when a worker
// thread or process ends unasked, ends the task it was running as lost, keeps each lane's pids
// and where one worker ended and the next began, and marks unhandled rejections, whatever
// order the host drains the rings in.
import assert from 'node:assert/strict';
import type { Mark } from '../../../src/trace/model';
import type { TraceStore } from '../../../src/trace/store';
import { CALLBACK, MAIN, RecordStream, at } from '../recordStream';
import { CRASH, KILLED, REJECT, W1, W2, poolWorkerKilled, processExecutorCrash, unhandledRejections } from '../workerScenarios';
import { allSpans } from '../../storeSpans';

const ms = (n: number) => n * 1000;
const taskSpan = (store: TraceStore, taskId: number) => allSpans(store).find((s) => s.kind === 'task' && s.taskId === taskId)!;
const marksOf = (store: TraceStore, ...kinds: Mark['kind'][]) => store.marks.filter((m) => kinds.includes(m.kind));

describe('trace builder: worker deaths', () => {
  it('ends the task a killed process was running as lost, where it died, with why', () => {
    const { store, crunch } = poolWorkerKilled();
    const s = taskSpan(store, crunch);
    assert.deepEqual(
      { status: s.status, start: s.start, end: s.end, text: s.text, lane: s.lane, name: s.name, site: s.site },
      {
        status: 'lost',
        start: ms(1.5),
        end: ms(40),
        text: KILLED.why,
        lane: W1,
        name: 'crunch',
        site: KILLED.apply,
      },
    );
  });

  it("gives the same trace whether the death or the worker's start of the task is drained first", () => {
    const deathFirst = poolWorkerKilled([MAIN, CALLBACK, W1, W2]).store;
    const workerFirst = poolWorkerKilled([W1, W2, MAIN, CALLBACK]).store;
    const inTime = poolWorkerKilled(undefined).store;
    for (const other of [workerFirst, inTime]) {
      assert.deepEqual(
        allSpans(other)
          .map(({ index, ...s }) => s)
          .sort(byStart),
        allSpans(deathFirst)
          .map(({ index, ...s }) => s)
          .sort(byStart),
      );
      assert.deepEqual(sortMarks(other.marks), sortMarks(deathFirst.marks));
      assert.deepEqual(other.lanes, deathFirst.lanes);
    }
  });

  it('marks where one process of a lane died and its replacement began, and the lane knows its pid', () => {
    const { store, crunch } = poolWorkerKilled();
    assert.deepEqual(sortMarks(marksOf(store, 'worker-start', 'worker-died')), [
      { lane: W1, ts: ms(0.5), kind: 'worker-start', pool: 0, pid: 5001 },
      { lane: W2, ts: ms(0.6), kind: 'worker-start', pool: 0, pid: 5002 },
      { lane: W1, ts: ms(40), kind: 'worker-died', pool: 0, signal: 'SIGKILL', task: crunch, text: KILLED.why },
      { lane: W1, ts: ms(41), kind: 'worker-start', pool: 0, pid: 5003, replaces: true },
    ]);
    assert.deepEqual(
      store.lanes.map((l) => [l.name, l.pid]),
      [
        ['Main', undefined],
        ['Callback', undefined],
        ['Worker 1', 5003],
        ['Worker 2', 5002],
      ],
    );
    assert.deepEqual(marksOf(store, 'respawn'), [{ lane: W1, ts: ms(41), kind: 'respawn', pool: 0 }]);
    assert.equal(store.pools.get(0)?.respawns, 1);
    assert.equal(store.pools.get(0)?.kind, 'Pool');
  });

  it('takes a death told twice (WORKER died with its task, then TASK_END lost) as one loss, with the exit code', () => {
    const { store, bye } = processExecutorCrash();
    const s = taskSpan(store, bye);
    assert.deepEqual({ status: s.status, end: s.end, text: s.text }, { status: 'lost', end: ms(5), text: CRASH.why });
    assert.deepEqual(marksOf(store, 'worker-died'), [{ lane: W2, ts: ms(5), kind: 'worker-died', pool: 0, exitCode: 3, task: bye, text: CRASH.why }]);
    assert.deepEqual(store.pools.get(0)?.broken, { ts: ms(5.5), cause: CRASH.broken });
    assert.equal(store.pools.get(0)?.kind, 'ProcessPoolExecutor');
  });

  it('ends the task still running on the lane when the death names none, and leaves finished tasks alone', () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0);
    s.pool(0, 'ThreadPool', { ms: 0, size: 1, site: at(3) });
    const done = s.submit(0, { ms: 1, api: 'applyAsync', site: at(5), fn: 'ok' });
    const dying = s.submit(0, { ms: 1, api: 'applyAsync', site: at(6), fn: 'oom' });
    s.start(W1, done.task, 2).end(W1, done.task, 3, 'ok', '1').start(W1, dying.task, 4);
    s.workerDied(W1, 4000, { code: 134, why: 'ran out of memory (ERR_WORKER_OUT_OF_MEMORY)' });
    const store = s.build({ endMs: 5000 });
    assert.deepEqual(
      [done.task, dying.task].map((id) => [taskSpan(store, id).status, taskSpan(store, id).end]),
      [
        ['ok', ms(3)],
        ['lost', ms(4000)],
      ],
    );
    assert.equal(marksOf(store, 'worker-died')[0].task, dying.task);
    assert.equal(marksOf(store, 'worker-died')[0].exitCode, 134);
  });

  it("keeps a lost task lost when its worker's own records arrive after the loss", () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0);
    s.pool(0, 'ProcessPoolExecutor', { ms: 0, size: 1, site: at(3) });
    const { task } = s.submit(0, { ms: 1, api: 'submit', site: at(5), fn: 'f' });
    s.start(W1, task, 2).end(W1, task, 3, 'ok', '1');
    s.end(W1, task, 4, 'lost', 'killed by SIGTERM', MAIN);
    const store = s.build({ endMs: 5, rings: [MAIN, W1] });
    const span = taskSpan(store, task);
    assert.deepEqual([span.status, span.text], ['lost', 'killed by SIGTERM']);
  });

  it('marks an unhandled rejection on the lane of the task that left it', () => {
    const { store, tasks } = unhandledRejections();
    assert.deepEqual(marksOf(store, 'unhandled'), [
      { lane: W1, ts: ms(2.5), kind: 'unhandled', pool: 0, task: tasks[0], text: REJECT.stack },
      { lane: W2, ts: ms(3.5), kind: 'unhandled', pool: 0, task: tasks[1], text: REJECT.stack },
    ]);
    assert.deepEqual(
      tasks.map((id) => taskSpan(store, id).status),
      ['ok', 'ok'],
      'the tasks themselves returned',
    );
  });

  it("gives a lane its worker's pid when the worker's start is drained before the lane's own record", () => {
    const s = new RecordStream();
    s.workerStart(W1, 0.5, 4242);
    s.lane(W1, 'worker', 'Worker 1', 0);
    const store = s.build({ endMs: 1, rings: [W1, MAIN] });
    assert.equal(store.laneById(W1)?.pid, 4242);
  });
});

const byStart = (a: { start: number; lane: number }, b: { start: number; lane: number }) => a.start - b.start || a.lane - b.lane;
const sortMarks = (marks: readonly Mark[]) => [...marks].sort((a, b) => a.ts - b.ts || a.lane - b.lane || a.kind.localeCompare(b.kind));
