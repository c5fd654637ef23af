import assert from 'node:assert/strict';
import { TraceFormatError, fromChromeTrace, toChromeTrace } from '../../../src/trace/chromeTrace';
import { blockingCallback } from '../scenarios';
import { poolWorkerKilled } from '../workerScenarios';

/** Saved trace JSON, loosely typed so a test can break any field of it. */
type Json = Record<string, any>;

/** A saved poolscope trace, as plain JSON to break in one place. */
function saved(): Json {
  return JSON.parse(JSON.stringify(toChromeTrace(blockingCallback().store)));
}

function rejects(json: unknown, message: string): void {
  assert.throws(() => fromChromeTrace(json), (e: unknown) => {
    assert.ok(e instanceof TraceFormatError, 'a TraceFormatError');
    assert.equal(e.message, message);
    return true;
  });
}

/** Breaks the first event matching `pick` and expects the error to name it by index. */
function rejectsEvent(pick: (e: Json) => boolean, breakIt: (e: Json) => void, message: (i: number) => string): void {
  const file = saved();
  const i = file.traceEvents.findIndex(pick);
  assert.ok(i >= 0, 'the event to break exists');
  breakIt(file.traceEvents[i]);
  rejects(file, message(i));
}

const isTask = (e: Json) => e.ph === 'X' && e.cat === 'task';
const isCallback = (e: Json) => e.ph === 'X' && e.cat === 'callback';

describe('Chrome trace import: malformed input', () => {
  it('rejects what is not a trace at all', () => {
    rejects(42, 'Invalid trace: the file must be a JSON object with traceEvents, or an array of events (got 42)');
    rejects(null, 'Invalid trace: the file must be a JSON object with traceEvents, or an array of events (got null)');
    rejects({ name: 'poolscope', version: '0.1.0' }, 'Invalid trace: traceEvents must be an array (got nothing)');
    rejects({ traceEvents: {} }, 'Invalid trace: traceEvents must be an array (got an object)');
  });

  it('names the event and field of a broken span', () => {
    rejectsEvent(isTask, (e) => delete e.dur, (i) => `Invalid trace: traceEvents[${i}].dur must be a non-negative number (got nothing)`);
    rejectsEvent(isTask, (e) => (e.dur = -5), (i) => `Invalid trace: traceEvents[${i}].dur must be a non-negative number (got -5)`);
    rejectsEvent(isTask, (e) => (e.ts = '100'), (i) => `Invalid trace: traceEvents[${i}].ts must be a finite number (got "100")`);
    rejectsEvent(isTask, (e) => (e.tid = 70000), (i) => `Invalid trace: traceEvents[${i}].tid must be an integer from 0 to 65535 (got 70000)`);
    rejectsEvent(isTask, (e) => (e.args.site.line = '12'), (i) => `Invalid trace: traceEvents[${i}].args.site.line must be an integer from 0 to 2147483647 (got "12")`);
    rejectsEvent(isTask, (e) => delete e.args, (i) => `Invalid trace: traceEvents[${i}].args must be an object (got nothing)`);
    rejectsEvent(isCallback, (e) => (e.args.status = 'error'), (i) => `Invalid trace: traceEvents[${i}].args.status must be one of ok, threw, running (got "error")`);
    rejectsEvent(isCallback, (e) => (e.args.kind = 'finally'), (i) => `Invalid trace: traceEvents[${i}].args.kind must be one of result, error, done (got "finally")`);
    rejectsEvent(isTask, (e) => (e.cat = 'gc'), (i) => `Invalid trace: traceEvents[${i}].cat must be one of task, callback, wait, init, submit (got "gc")`);
  });

  it('names events of a kind poolscope never writes, and events that are not objects', () => {
    rejectsEvent((e) => e.ph === 'i', (e) => (e.ph = 'C'), (i) => `Invalid trace: traceEvents[${i}].ph must be one of X, i, s, t, f, M (got "C")`);
    rejectsEvent((e) => e.cat === 'mark', (e) => (e.name = 'explode'), (i) => `Invalid trace: traceEvents[${i}].name must be one of pool-created, close, terminate, shutdown, broken, handler-died, respawn, worker-start, worker-exit, worker-died, unhandled, deadlock, main-returned, main-threw (got "explode")`);
    rejectsEvent((e) => e.cat === 'log', (e) => (e.args.stream = 3), (i) => `Invalid trace: traceEvents[${i}].args.stream must be one of stdout, stderr (got 3)`);
    const file = saved();
    file.traceEvents[3] = 'oops';
    rejects(file, 'Invalid trace: traceEvents[3] must be an object (got "oops")');
  });

  it('names the broken field of jobs, pools, lanes and meta', () => {
    const cases: [(md: Json) => void, string][] = [
      [(md) => (md.version = 2), 'metadata.poolscope.version must be 1 (written by a newer poolscope?) (got 2)'],
      [(md) => delete md.jobs[3].retrieved, 'metadata.poolscope.jobs[3].retrieved must be true or false (got nothing)'],
      [(md) => (md.jobs[0].tasks = [1, 'two']), 'metadata.poolscope.jobs[0].tasks[1] must be an integer from -2147483648 to 2147483647 (got "two")'],
      [(md) => (md.jobs[0].callbacks[0].kind = 'always'), 'metadata.poolscope.jobs[0].callbacks[0].kind must be one of result, error, done (got "always")'],
      [(md) => (md.pools[0].kind = 'ProcessPool'), 'metadata.poolscope.pools[0].kind must be one of ThreadPool, Pool, ThreadPoolExecutor, ProcessPoolExecutor (got "ProcessPool")'],
      [(md) => (md.lanes[1].kind = 'gpu'), 'metadata.poolscope.lanes[1].kind must be one of main, callback, worker (got "gpu")'],
      [(md) => (md.meta.outcome = 'exploded'), 'metadata.poolscope.meta.outcome must be one of returned, threw, deadlock, timeout, stopped, crashed, bad-input, running (got "exploded")'],
      [(md) => (md.end = null), 'metadata.poolscope.end must be a finite number (got null)'],
    ];
    for (const [breakIt, message] of cases) {
      const file = saved();
      breakIt(file.metadata.poolscope);
      rejects(file, `Invalid trace: ${message}`);
    }
  });
});

describe('Chrome trace import: process pools and worker deaths', () => {
  const killed = (): Json => JSON.parse(JSON.stringify(toChromeTrace(poolWorkerKilled().store)));

  it('reads a Pool whose worker was killed: the lost task, the pids, the death', () => {
    const store = fromChromeTrace(killed());
    assert.equal(store.pools.get(0)?.kind, 'Pool');
    assert.deepEqual([...store.spans()].filter((s) => s.kind === 'task').map((s) => [s.name, s.status]), [['crunch', 'lost']]);
    assert.deepEqual(store.laneById(2)?.pid, 5003);
    assert.deepEqual(store.marks.filter((m) => m.kind === 'worker-died').map((m) => [m.signal, m.task, m.exitCode]), [['SIGKILL', 1, undefined]]);
  });

  it('names the broken field of a worker mark or a lane pid', () => {
    const died = (e: Json) => e.ph === 'i' && e.name === 'worker-died';
    const cases: [(e: Json) => void, string][] = [
      [(e) => (e.args.signal = 9), 'args.signal must be a string (got 9)'],
      [(e) => (e.args.task = 0), 'args.task must be an integer from 1 to 2147483647 (got 0)'],
      [(e) => (e.args.exitCode = 1.5), 'args.exitCode must be an integer from -2147483648 to 2147483647 (got 1.5)'],
    ];
    for (const [breakIt, message] of cases) {
      const file = killed();
      const i = file.traceEvents.findIndex(died);
      breakIt(file.traceEvents[i]);
      rejects(file, `Invalid trace: traceEvents[${i}].${message}`);
    }
    const file = killed();
    const i = file.traceEvents.findIndex((e: Json) => e.name === 'worker-start' && e.args.replaces);
    file.traceEvents[i].args.replaces = 'yes';
    rejects(file, `Invalid trace: traceEvents[${i}].args.replaces must be true or false (got "yes")`);
    const lanes = killed();
    lanes.metadata.poolscope.lanes[2].pid = -1;
    rejects(lanes, 'Invalid trace: metadata.poolscope.lanes[2].pid must be an integer from 0 to 2147483647 (got -1)');
  });
});

describe('Chrome trace import: traces poolscope did not write', () => {
  const chrome = {
    traceEvents: [
      { ph: 'M', name: 'process_name', pid: 7, tid: 0, args: { name: 'Browser' } },
      { ph: 'M', name: 'thread_name', pid: 7, tid: 11, args: { name: 'CrBrowserMain' } },
      { ph: 'M', name: 'thread_name', pid: 7, tid: 12, args: { name: 'ThreadPoolForegroundWorker' } },
      { ph: 'X', name: 'RunTask', cat: 'toplevel', pid: 7, tid: 11, ts: 5_000_000, dur: 1500, args: {} },
      { ph: 'B', name: 'Compile', cat: 'v8', pid: 7, tid: 12, ts: 5_000_100 },
      { ph: 'E', pid: 7, tid: 12, ts: 5_000_400 },
      { ph: 'X', name: 'Poll', pid: 7, tid: 13, ts: 5_000_200, dur: 10 },
      { ph: 'B', name: 'Idle', pid: 7, tid: 13, ts: 5_000_300 },
      { ph: 'C', name: 'heap', pid: 7, tid: 11, ts: 5_000_000, args: { used: 3 } },
    ],
    metadata: { 'clock-domain': 'LINUX_CLOCK_MONOTONIC' },
  };

  it('makes lanes from thread names and spans from X and B/E events, starting at 0', () => {
    const store = fromChromeTrace(chrome);
    assert.deepEqual(store.lanes.map((l) => [l.id, l.name, l.kind]), [
      [0, 'CrBrowserMain', 'worker'],
      [1, 'ThreadPoolForegroundWorker', 'worker'],
      [2, 'Thread 13', 'worker'],
    ]);
    assert.deepEqual(
      [...store.spans()].map((s) => [s.lane, s.kind, s.name, s.start, s.end, s.status]),
      [
        [0, 'task', 'RunTask', 0, 1500, 'ok'],
        [1, 'task', 'Compile', 100, 400, 'ok'],
        [2, 'task', 'Poll', 200, 210, 'ok'],
        [2, 'task', 'Idle', 300, 1500, 'running'], // never ended: runs to the trace end
      ],
    );
    assert.equal(store.end, 1500);
  });

  it('keeps the lane kinds and span fields of a poolscope-like trace without its metadata', () => {
    const file = JSON.parse(JSON.stringify(toChromeTrace(blockingCallback().store)));
    delete file.metadata;
    const store = fromChromeTrace(file);
    assert.deepEqual(store.lanes.map((l) => `${l.name}:${l.kind}`), ['Main:main', 'Callback:callback', 'Worker 1:worker', 'Worker 2:worker']);
    const spans = [...store.spans()];
    const handler = spans.find((s) => s.kind === 'callback' && s.job === 0)!;
    assert.deepEqual([store.laneById(handler.lane)?.name, handler.name, handler.status], ['Callback', 'handler', 'ok']);
    assert.equal(spans.filter((s) => s.kind === 'task').length, 8);
    assert.deepEqual(store.logs.map((l) => l.text), ['handling 0']);
  });

  it('accepts the JSON Array Format, and still names a broken event', () => {
    assert.equal(fromChromeTrace([{ ph: 'X', name: 'a', pid: 1, tid: 1, ts: 10, dur: 5 }]).spanCount, 1);
    rejects([{ ph: 'X', name: 'a', pid: 1, tid: 1, dur: 5 }], 'Invalid trace: events[0].ts must be a finite number (got nothing)');
    const noDur = JSON.parse(JSON.stringify(chrome));
    delete noDur.traceEvents[3].dur;
    rejects(noDur, 'Invalid trace: traceEvents[3].dur must be a non-negative number (got nothing)');
  });
});
