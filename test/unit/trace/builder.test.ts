// The trace builder, fed ring records by hand. The runtime writes some things in two forms (a
// single-task job as TASK_JOB or as JOB + TASK_SUBMIT; a get() ended by JOB_READY's d or by its
// own WAIT_END): both must give the trace a user sees, whichever ring is drained first.
import assert from 'node:assert/strict';
import { TraceFeed } from '../../../src/protocol/encode';
import type { TracePatch } from '../../../src/protocol/wire';
import { TraceBuilder } from '../../../src/trace/builder';
import { CallbackKind, CPU_UNKNOWN, LaneKindCode, PoolAction, Rec, TaskStatus, WaitOutcome, packPoolApi, unpackPoolApi, type RawRecord } from '../../../src/trace/records';
import { KEEP_ALL } from '../../../src/trace/notKept';
import { TraceStore } from '../../../src/trace/store';
import { allSpans } from '../../storeSpans';
import { MAIN as MAIN_RING, RecordStream, at as siteAt } from '../recordStream';

const MAIN = 0;
const WORKER = 2;
const POOL = 1;
const FILE = '/w/tasks.ts';
/** Main's interned strings, by id. */
const S = { api: 0, site: 1, fn: 2, fnSite: 3, get: 4, getSite: 5, onResult: 6, cbSite: 7 };
const STRINGS = ['applyAsync', `${FILE}:9:22`, 'square', `${FILE}:3:1`, 'get', `${FILE}:9:40`, 'onResult', `${FILE}:5:1`];

const rec = (type: number, lane: number, ts: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, text?: string): RawRecord => ({ type, lane, ts, a, b, c, d, e, f, text });

/** What main writes before any work: its strings, the lanes, the pool. */
const preamble = (): RawRecord[] => [
  ...STRINGS.map((s, id) => rec(Rec.STR, MAIN, 0, id, 0, 0, 0, 0, 0, s)),
  rec(Rec.LANE, MAIN, 0, MAIN, LaneKindCode.main, -1, 0, 0, 0, 'Main'),
  rec(Rec.LANE, MAIN, 0, WORKER, LaneKindCode.worker, POOL, 0, 0, 0, 'Worker 1'),
  rec(Rec.POOL, MAIN, 1, POOL, PoolAction.created, S.site, 1, -1, -1, 'ThreadPool'),
];

/** applyAsync(square, [3]) as job `job` with task `task` at ts, in either form. */
const issue = (form: 'JOB + TASK_SUBMIT' | 'TASK_JOB', job: number, task: number, ts: number): RawRecord[] =>
  form === 'TASK_JOB'
    ? [rec(Rec.TASK_JOB, MAIN, ts, job, task, packPoolApi(POOL, S.api), S.site, S.fn, S.fnSite, '3')]
    : [rec(Rec.JOB, MAIN, ts, job, POOL, S.api, S.site, 1, S.fnSite), rec(Rec.TASK_SUBMIT, MAIN, ts, task, job, S.fn, 0, 0, 0, '3')];

const runs = (task: number, start: number, end: number): RawRecord[] => [
  rec(Rec.TASK_START, WORKER, start, task),
  rec(Rec.TASK_END, WORKER, end, task, TaskStatus.ok, 0, 0, CPU_UNKNOWN, 0, '9'),
];

/** Builds a trace from chunks of records as the host drains them: each lane is its own ring. */
function trace(...chunks: RawRecord[][]): TraceStore {
  const store = new TraceStore({ file: FILE, startedAt: '2026-01-01T00:00:00.000Z' });
  const builder = new TraceBuilder(store, 0);
  const strings = new Map<number, string[]>();
  for (const r of chunks.flat()) {
    if (!strings.has(r.lane)) strings.set(r.lane, []);
    builder.consume(r, strings.get(r.lane)!);
  }
  builder.finish(100);
  return store;
}

const at = (line: number, col: number) => ({ file: FILE, line, col });

describe('trace builder', () => {
  describe('a single-task job issued as one TASK_JOB record', () => {
    /** Job 7 (task 70) gets a result callback; job 8 (task 80) gets none. */
    const main = (form: 'JOB + TASK_SUBMIT' | 'TASK_JOB') => [
      ...issue(form, 7, 70, 10),
      rec(Rec.CB_REG, MAIN, 10, 7, CallbackKind.result, S.onResult, S.cbSite, S.site),
      ...issue(form, 8, 80, 11),
      rec(Rec.JOB_READY, MAIN, 16, 7, TaskStatus.ok, 1),
    ];
    const worker = () => [...runs(70, 12, 15), ...runs(80, 15, 17)];
    const orders = {
      'submits drained before the starts': (form: 'JOB + TASK_SUBMIT' | 'TASK_JOB') => trace(preamble(), main(form), worker()),
      'starts drained before the submits': (form: 'JOB + TASK_SUBMIT' | 'TASK_JOB') => trace(preamble(), worker(), main(form)),
    };

    for (const [order, build] of Object.entries(orders)) {
      it(`gives the job and task that JOB + TASK_SUBMIT give (${order})`, () => {
        const one = build('TASK_JOB');
        const two = build('JOB + TASK_SUBMIT');
        assert.deepEqual(allSpans(one), allSpans(two));
        assert.deepEqual([...one.jobs.values()], [...two.jobs.values()]);

        const task = allSpans(one).find((s) => s.taskId === 70)!;
        assert.deepEqual(
          {
            name: task.name,
            api: task.api,
            site: task.site,
            queued: task.queued,
            start: task.start,
            end: task.end,
            status: task.status,
            job: task.job,
            args: task.args,
            text: task.text,
          },
          { name: 'square', api: 'applyAsync', site: at(9, 22), queued: 10, start: 12, end: 15, status: 'ok', job: 7, args: '3', text: '9' },
        );
        assert.deepEqual(one.jobs.get(7), {
          id: 7,
          pool: POOL,
          api: 'applyAsync',
          site: at(9, 22),
          fnSite: at(3, 1),
          submitted: 10,
          tasks: [70],
          callbacks: [{ kind: 'result', name: 'onResult', site: at(5, 1), registeredAt: at(9, 22) }],
          resultIn: 16,
          readyAt: 16,
          status: 'ok',
          retrieved: false,
        });
        // Jobs start out sharing their empty lists: one job's callback must not show on another.
        assert.deepEqual(one.jobs.get(8)!.callbacks, []);
        assert.deepEqual(one.jobs.get(8)!.tasks, [80]);
      });
    }
  });

  it('makes a job ready with the TASK_END that names it (c = job id), as a JOB_READY at that moment would', () => {
    for (const status of [TaskStatus.ok, TaskStatus.error]) {
      const text = status === TaskStatus.ok ? '9' : 'ValueError: no';
      const start = rec(Rec.TASK_START, WORKER, 12, 70);
      const merged = trace(preamble(), issue('TASK_JOB', 7, 70, 10), [start, rec(Rec.TASK_END, WORKER, 15, 70, status, 7, 0, 40, -1, text)]);
      const apart = trace(preamble(), issue('TASK_JOB', 7, 70, 10), [
        start,
        rec(Rec.TASK_END, WORKER, 15, 70, status, 0, 0, 40, -1, text),
        rec(Rec.JOB_READY, MAIN, 15, 7, status, 1),
      ]);
      assert.deepEqual(allSpans(merged), allSpans(apart));
      assert.deepEqual(merged.jobs.get(7), apart.jobs.get(7));
      assert.deepEqual([merged.jobs.get(7)!.readyAt, merged.jobs.get(7)!.resultIn, merged.jobs.get(7)!.status], [15, 15, status === TaskStatus.ok ? 'ok' : 'error']);
    }
    const plain = trace(preamble(), issue('TASK_JOB', 7, 70, 10), runs(70, 12, 15));
    assert.equal(plain.jobs.get(7)!.readyAt, undefined, 'c = 0: the job is not ready yet');
  });

  describe('a wait that a JOB_READY ends (d = wait id)', () => {
    /** main gets job 7's result: the wait (id 5) starts at 11, the job is ready at 16. */
    const waited = (...end: RawRecord[]) =>
      trace(preamble(), [...issue('TASK_JOB', 7, 70, 10), rec(Rec.WAIT_START, MAIN, 11, 5, S.get, S.getSite, 7, -1), ...end], runs(70, 12, 15));
    const waitSpan = (store: TraceStore) => allSpans(store).find((s) => s.kind === 'wait')!;

    it('ends at the readiness, as a WAIT_END at the same time would', () => {
      const byReady = waited(rec(Rec.JOB_READY, MAIN, 16, 7, TaskStatus.ok, 1, 5));
      const byWaitEnd = waited(rec(Rec.JOB_READY, MAIN, 16, 7, TaskStatus.ok, 1), rec(Rec.WAIT_END, MAIN, 16, 5, WaitOutcome.ok));
      assert.deepEqual(allSpans(byReady), allSpans(byWaitEnd));
      const w = waitSpan(byReady);
      assert.deepEqual(
        { name: w.name, site: w.site, job: w.job, start: w.start, end: w.end, status: w.status },
        { name: 'get', site: at(9, 40), job: 7, start: 11, end: 16, status: 'ok' },
      );
    });

    it('ends in error when the job failed or was cancelled', () => {
      for (const status of [TaskStatus.error, TaskStatus.cancelled]) {
        const w = waitSpan(waited(rec(Rec.JOB_READY, MAIN, 16, 7, status, 1, 5)));
        assert.deepEqual({ end: w.end, status: w.status }, { end: 16, status: 'error' }, `job status ${status}`);
      }
    });

    it('ignores a WAIT_END for the same wait that arrives anyway', () => {
      const w = waitSpan(waited(rec(Rec.JOB_READY, MAIN, 16, 7, TaskStatus.ok, 1, 5), rec(Rec.WAIT_END, MAIN, 20, 5, WaitOutcome.timeout)));
      assert.deepEqual({ end: w.end, status: w.status }, { end: 16, status: 'ok' });
    });

    it('leaves the wait open when d is 0', () => {
      const w = waitSpan(waited(rec(Rec.JOB_READY, MAIN, 16, 7, TaskStatus.ok, 1)));
      assert.deepEqual({ end: w.end, status: w.status }, { end: 100, status: 'running' });
    });
  });

  it('sends a live view only the jobs that changed, including a change no span shows (an error retrieved)', () => {
    const store = new TraceStore({ file: FILE, startedAt: '2026-01-01T00:00:00.000Z' });
    const builder = new TraceBuilder(store, 0);
    const strings: string[] = [];
    const feed = new TraceFeed(store);
    for (const r of [...preamble(), ...issue('TASK_JOB', 7, 70, 10), ...issue('TASK_JOB', 8, 80, 11)]) builder.consume(r, strings);
    const ids = (p: TracePatch) => [...p.jobs.id];
    assert.deepEqual(ids(feed.snapshot()), [7, 8]);
    builder.consume(rec(Rec.JOB_READY, MAIN, 16, 8, TaskStatus.error, 1), strings);
    assert.deepEqual(ids(feed.delta()), [8], 'the job that became ready, not the other');
    builder.consume(rec(Rec.RETRIEVED, MAIN, 17, 8), strings);
    assert.equal(feed.stale, true, 'a retrieved error is a change to send');
    const delta = feed.delta();
    assert.deepEqual(ids(delta), [8]);
    assert.deepEqual(ids(feed.delta()), [], 'nothing changed, nothing sent');
  });

  it("keeps a task's CPU time and its wait for a CPU from its TASK_END (unknown stays absent), and the first end's when a second amends it", () => {
    const store = trace(preamble(), issue('TASK_JOB', 7, 70, 10), issue('TASK_JOB', 8, 80, 11), issue('TASK_JOB', 9, 90, 11), [
      rec(Rec.TASK_START, WORKER, 12, 70),
      rec(Rec.TASK_END, WORKER, 15, 70, TaskStatus.ok, 0, 0, 2400, 310, '9'),
      rec(Rec.TASK_END, WORKER, 16, 70, TaskStatus.error, 0, 0, CPU_UNKNOWN, CPU_UNKNOWN, 'MaybeEncodingError: x'),
      ...runs(80, 16, 17),
      rec(Rec.TASK_START, WORKER, 17, 90),
      rec(Rec.TASK_END, WORKER, 18, 90, TaskStatus.ok, 0, 0, 900, CPU_UNKNOWN, '9'),
    ]);
    const cpu = Object.fromEntries(allSpans(store).map((s) => [s.taskId, [s.cpu, s.cpuWait]]));
    assert.deepEqual(cpu, { 70: [2400, 310], 80: [undefined, undefined], 90: [900, undefined] });
    const cols = new TraceFeed(store).snapshot().spans;
    assert.deepEqual([...(cols.cpu as Int32Array)], [2400, -1, 900], 'the CPU column crosses to the view');
    assert.deepEqual([...(cols.cpuWait as Int32Array)], [310, -1, -1], 'and the wait column');
  });

  it("marks a result handler death on that pool's own Callback lane when it is written there (Python), else on the one Callback lane", () => {
    const CB1 = 1;
    const CB2 = 3;
    const store = trace([
      rec(Rec.LANE, MAIN, 0, MAIN, LaneKindCode.main, -1, 0, 0, 0, 'Main'),
      rec(Rec.LANE, MAIN, 0, CB1, LaneKindCode.callback, 1, 0, 0, 0, 'Callback'),
      rec(Rec.LANE, MAIN, 0, CB2, LaneKindCode.callback, 2, 0, 0, 0, 'Callback 2'),
      rec(Rec.POOL, CB2, 5, 2, PoolAction.handlerDied, -1, 0, 0, 0, 'RuntimeError: x'),
      rec(Rec.POOL, MAIN, 6, 1, PoolAction.handlerDied, -1, 0, 0, 0, 'RuntimeError: y'),
    ]);
    assert.deepEqual(
      store.marks.filter((m) => m.kind === 'handler-died').map((m) => [m.pool, m.lane]),
      [
        [2, CB2],
        [1, CB1],
      ],
    );
  });

  it('gives a lane declared again its new kind, pool and name (a process that learned it is a pool worker), in place', () => {
    const store = trace([rec(Rec.LANE, MAIN, 0, 4, LaneKindCode.main, -1, 0, 0, 0, 'MainThread (pid 9)'), rec(Rec.LANE, MAIN, 1, 4, LaneKindCode.worker, 2, 0, 0, 0, 'Worker 3')]);
    assert.deepEqual(store.lanes, [{ id: 4, kind: 'worker', pool: 2, name: 'Worker 3' }]);
  });

  it("past a span budget, keeps the first tasks even when a worker's start of a later one is read before main's submits", () => {
    // Read order: task 1 submitted, task 3 starting (its worker's ring read before main's), then
    // tasks 2 and 3 submitted. With room for two tasks, 1 and 2 are kept, and task 3 counted.
    const W = 2;
    const s = new RecordStream();
    s.lane(MAIN_RING, 'main', 'Main').lane(W, 'worker', 'Worker 1', 0);
    s.pool(0, 'ThreadPool', { ms: 0.5, size: 1, site: siteAt(4) });
    const submit = (ms: number) => s.submit(0, { ms, api: 'applyAsync', site: siteAt(9), fn: 'step' });
    const one = submit(1);
    s.start(W, 3, 1.05);
    const two = submit(1.1);
    const three = submit(1.2);
    assert.equal(three.task, 3);
    s.end(W, 3, 2).start(W, one.task, 2.1).end(W, one.task, 3).start(W, two.task, 3.1).end(W, two.task, 4);
    const store = s.build({ endMs: 5, maxSpans: 2 });
    const kept = allSpans(store).filter((x) => x.kind === 'task');
    assert.deepEqual(
      kept.map((x) => x.taskId),
      [1, 2],
    );
    assert.deepEqual(
      [...store.jobs.values()].map((j) => j.id),
      [one.job, two.job],
    );
    assert.deepEqual([store.notKept.tasks, store.notKept.spans[W]], [1, 1]);
  });

  it('past a span budget, counts a task lost with its worker once, though its end and the death both name it', () => {
    // A dying thread says it twice: TASK_END lost, then WORKER died naming the same task.
    const W = 2;
    const s = new RecordStream();
    s.lane(MAIN_RING, 'main', 'Main').lane(W, 'worker', 'Worker 1', 0);
    s.pool(0, 'ThreadPool', { ms: 0.5, size: 1, site: siteAt(4) });
    const one = s.submit(0, { ms: 1, api: 'applyAsync', site: siteAt(9), fn: 'step' });
    const two = s.submit(0, { ms: 1.1, api: 'applyAsync', site: siteAt(9), fn: 'step' });
    s.start(W, one.task, 2).end(W, one.task, 3).start(W, two.task, 3.1).end(W, two.task, 4, 'lost');
    s.workerDied(W, 4, { code: 3, task: two.task, why: 'exited with code 3' });
    const store = s.build({ endMs: 5, maxSpans: 1 });
    assert.deepEqual(
      allSpans(store)
        .filter((x) => x.kind === 'task')
        .map((x) => x.taskId),
      [one.task],
    );
    assert.deepEqual([store.notKept.tasks, store.notKept.lost, store.notKept.spans[W]], [1, 1, 1]);
  });

  it('past a line budget, keeps the first printed lines and counts the others', () => {
    const store = new TraceStore({ file: FILE, startedAt: '2026-01-01T00:00:00.000Z' });
    const builder = new TraceBuilder(store, 0, { ...KEEP_ALL, maxLines: 3 });
    const strings: string[] = [];
    for (const r of preamble()) builder.consume(r, strings);
    for (let i = 0; i < 5; i++) builder.consume(rec(Rec.LOG, MAIN, 10 + i, i === 4 ? 2 : 1, 0, 0, 0, 0, 0, `line ${i}`), strings);
    builder.finish(100);
    assert.deepEqual(
      store.logs.map((l) => l.text),
      ['line 0', 'line 1', 'line 2'],
    );
    assert.equal(store.notKept.lines, 2);
    assert.equal(store.notKept.any, false, 'no task was left out');
  });

  it('packs a TASK_JOB pool id and api name into one field and back', () => {
    for (const [pool, api] of [
      [0, 0],
      [1, 3],
      [4095, 524287],
      [17, -1],
    ]) {
      assert.deepEqual(unpackPoolApi(packPoolApi(pool, api)), { pool, api });
    }
    assert.throws(() => packPoolApi(4096, 0), RangeError);
  });
});
