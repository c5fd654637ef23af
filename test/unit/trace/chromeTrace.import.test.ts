import assert from 'node:assert/strict';
import { TraceFormatError, readChromeTrace } from '../../../src/trace/chromeTrace';
import { blockingCallback } from '../scenarios';
import { poolWorkerKilled } from '../workerScenarios';
import { exported, imported } from './files';
import { allSpans } from '../../storeSpans';

/** Saved trace JSON, loosely typed so a test can break any field of it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any field, at any depth
type Json = Record<string, any>;

/** A saved poolscope trace, as plain JSON to break in one place. */
function saved(): Json {
  return exported(blockingCallback().store);
}

function rejects(json: unknown, message: string): Promise<void> {
  return assert.rejects(imported(json), (e: unknown) => {
    assert.ok(e instanceof TraceFormatError, 'a TraceFormatError');
    assert.equal(e.message, message);
    return true;
  });
}

/** Breaks the first event matching `pick` and expects the error to name it by index. */
function rejectsEvent(pick: (e: Json) => boolean, breakIt: (e: Json) => void, message: (i: number) => string): Promise<void> {
  const file = saved();
  const i = file.traceEvents.findIndex(pick);
  assert.ok(i >= 0, 'the event to break exists');
  breakIt(file.traceEvents[i]);
  return rejects(file, message(i));
}

const isTask = (e: Json) => e.ph === 'X' && e.cat === 'task';
const isCallback = (e: Json) => e.ph === 'X' && e.cat === 'callback';

describe('Chrome trace import: malformed input', () => {
  it('rejects what is not a trace at all', async () => {
    await rejects(42, 'Invalid trace: the file must be a JSON object with traceEvents, or an array of events (got 42)');
    await rejects(null, 'Invalid trace: the file must be a JSON object with traceEvents, or an array of events (got null)');
    await rejects({ name: 'poolscope', version: '0.1.0' }, 'Invalid trace: traceEvents must be an array (got nothing)');
    await rejects({ traceEvents: {} }, 'Invalid trace: traceEvents must be an array (got an object)');
  });

  it('names the event and field of a broken span', async () => {
    await rejectsEvent(
      isTask,
      (e) => delete e.dur,
      (i) => `Invalid trace: traceEvents[${i}].dur must be a non-negative number (got nothing)`,
    );
    await rejectsEvent(
      isTask,
      (e) => (e.dur = -5),
      (i) => `Invalid trace: traceEvents[${i}].dur must be a non-negative number (got -5)`,
    );
    await rejectsEvent(
      isTask,
      (e) => (e.ts = '100'),
      (i) => `Invalid trace: traceEvents[${i}].ts must be a finite number (got "100")`,
    );
    await rejectsEvent(
      isTask,
      (e) => (e.tid = 70000),
      (i) => `Invalid trace: traceEvents[${i}].tid must be an integer from 0 to 65535 (got 70000)`,
    );
    await rejectsEvent(
      isTask,
      (e) => (e.args.site.line = '12'),
      (i) => `Invalid trace: traceEvents[${i}].args.site.line must be an integer from 0 to 2147483647 (got "12")`,
    );
    await rejectsEvent(
      isTask,
      (e) => delete e.args,
      (i) => `Invalid trace: traceEvents[${i}].args must be an object (got nothing)`,
    );
    await rejectsEvent(
      isCallback,
      (e) => (e.args.status = 'error'),
      (i) => `Invalid trace: traceEvents[${i}].args.status must be one of ok, threw, running (got "error")`,
    );
    await rejectsEvent(
      isCallback,
      (e) => (e.args.kind = 'finally'),
      (i) => `Invalid trace: traceEvents[${i}].args.kind must be one of result, error, done (got "finally")`,
    );
    await rejectsEvent(
      isTask,
      (e) => (e.cat = 'gc'),
      (i) => `Invalid trace: traceEvents[${i}].cat must be one of task, callback, wait, init, run, submit (got "gc")`,
    );
  });

  it('names events of a kind poolscope never writes, and events that are not objects', async () => {
    await rejectsEvent(
      (e) => e.ph === 'i',
      (e) => (e.ph = 'C'),
      (i) => `Invalid trace: traceEvents[${i}].ph must be one of X, i, s, t, f, M (got "C")`,
    );
    await rejectsEvent(
      (e) => e.cat === 'mark',
      (e) => (e.name = 'explode'),
      (i) =>
        `Invalid trace: traceEvents[${i}].name must be one of pool-created, close, terminate, shutdown, broken, handler-died, respawn, worker-start, worker-exit, worker-died, unhandled, left-running, reshaped, deadlock, main-returned, main-threw (got "explode")`,
    );
    await rejectsEvent(
      (e) => e.cat === 'log',
      (e) => (e.args.stream = 3),
      (i) => `Invalid trace: traceEvents[${i}].args.stream must be one of stdout, stderr (got 3)`,
    );
    const file = saved();
    file.traceEvents[3] = 'oops';
    await rejects(file, 'Invalid trace: traceEvents[3] must be an object (got "oops")');
  });

  it("keeps where a run's records stopped", async () => {
    const run = blockingCallback();
    run.store.meta.recordsStopped = { ts: 1500, why: '/tmp/run/p1.rec has no room for more (No space left on device)' };
    assert.deepEqual((await imported(exported(run.store))).meta.recordsStopped, run.store.meta.recordsStopped);
  });

  it('names the broken field of jobs, pools, lanes and meta', async () => {
    const cases: [(md: Json) => void, string][] = [
      [(md) => (md.version = 2), 'metadata.poolscope.version must be 1 (written by a newer poolscope?) (got 2)'],
      [(md) => delete md.jobs[3].retrieved, 'metadata.poolscope.jobs[3].retrieved must be true or false (got nothing)'],
      [(md) => (md.jobs[0].tasks = [1, 'two']), 'metadata.poolscope.jobs[0].tasks[1] must be an integer from -2147483648 to 2147483647 (got "two")'],
      [(md) => (md.jobs[0].callbacks[0].kind = 'always'), 'metadata.poolscope.jobs[0].callbacks[0].kind must be one of result, error, done (got "always")'],
      [(md) => (md.pools[0].kind = 'ProcessPool'), 'metadata.poolscope.pools[0].kind must be one of ThreadPool, Pool, ThreadPoolExecutor, ProcessPoolExecutor (got "ProcessPool")'],
      [(md) => (md.lanes[1].kind = 'gpu'), 'metadata.poolscope.lanes[1].kind must be one of main, callback, worker (got "gpu")'],
      [
        (md) => (md.meta.outcome = 'exploded'),
        'metadata.poolscope.meta.outcome must be one of returned, threw, deadlock, timeout, stopped, crashed, bad-input, running (got "exploded")',
      ],
      [(md) => (md.end = null), 'metadata.poolscope.end must be a finite number (got null)'],
      [(md) => (md.meta.recordsStopped = { ts: 5, why: 7 }), 'metadata.poolscope.meta.recordsStopped.why must be a string (got 7)'],
    ];
    for (const [breakIt, message] of cases) {
      const file = saved();
      breakIt(file.metadata.poolscope);
      await rejects(file, `Invalid trace: ${message}`);
    }
  });
});

describe('Chrome trace import: process pools and worker deaths', () => {
  const killed = (): Json => exported(poolWorkerKilled().store);

  it('reads a Pool whose worker was killed: the lost task, the pids, the death', async () => {
    const store = await imported(killed());
    assert.equal(store.pools.get(0)?.kind, 'Pool');
    assert.deepEqual(
      allSpans(store)
        .filter((s) => s.kind === 'task')
        .map((s) => [s.name, s.status]),
      [['crunch', 'lost']],
    );
    assert.deepEqual(store.laneById(2)?.pid, 5003);
    assert.deepEqual(
      store.marks.filter((m) => m.kind === 'worker-died').map((m) => [m.signal, m.task, m.exitCode]),
      [['SIGKILL', 1, undefined]],
    );
  });

  it('names the broken field of a worker mark or a lane pid', async () => {
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
      await rejects(file, `Invalid trace: traceEvents[${i}].${message}`);
    }
    const file = killed();
    const i = file.traceEvents.findIndex((e: Json) => e.name === 'worker-start' && e.args.replaces);
    file.traceEvents[i].args.replaces = 'yes';
    await rejects(file, `Invalid trace: traceEvents[${i}].args.replaces must be true or false (got "yes")`);
    const lanes = killed();
    lanes.metadata.poolscope.lanes[2].pid = -1;
    await rejects(lanes, 'Invalid trace: metadata.poolscope.lanes[2].pid must be an integer from 0 to 2147483647 (got -1)');
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

  it('makes lanes from thread names and spans from X and B/E events, starting at 0', async () => {
    const store = await imported(chrome);
    assert.deepEqual(
      store.lanes.map((l) => [l.id, l.name, l.kind]),
      [
        [0, 'CrBrowserMain', 'worker'],
        [1, 'ThreadPoolForegroundWorker', 'worker'],
        [2, 'Thread 13', 'worker'],
      ],
    );
    assert.deepEqual(
      allSpans(store).map((s) => [s.lane, s.kind, s.name, s.start, s.end, s.status]),
      [
        [0, 'task', 'RunTask', 0, 1500, 'ok'],
        [1, 'task', 'Compile', 100, 400, 'ok'],
        [2, 'task', 'Poll', 200, 210, 'ok'],
        [2, 'task', 'Idle', 300, 1500, 'running'], // never ended: runs to the trace end
      ],
    );
    assert.equal(store.end, 1500);
  });

  it('keeps the lane kinds and span fields of a poolscope-like trace without its metadata', async () => {
    const file: Json = exported(blockingCallback().store);
    delete file.metadata;
    const store = await imported(file);
    assert.deepEqual(
      store.lanes.map((l) => `${l.name}:${l.kind}`),
      ['Main:main', 'Callback:callback', 'Worker 1:worker', 'Worker 2:worker'],
    );
    const spans = allSpans(store);
    const handler = spans.find((s) => s.kind === 'callback' && s.job === 0)!;
    assert.deepEqual([store.laneById(handler.lane)?.name, handler.name, handler.status], ['Callback', 'handler', 'ok']);
    assert.equal(spans.filter((s) => s.kind === 'task').length, 8);
    assert.deepEqual(
      store.logs.map((l) => l.text),
      ['handling 0'],
    );
  });

  it('accepts the JSON Array Format, and still names a broken event', async () => {
    assert.equal((await imported([{ ph: 'X', name: 'a', pid: 1, tid: 1, ts: 10, dur: 5 }])).spanCount, 1);
    await rejects([{ ph: 'X', name: 'a', pid: 1, tid: 1, dur: 5 }], 'Invalid trace: events[0].ts must be a finite number (got nothing)');
    const noDur = JSON.parse(JSON.stringify(chrome));
    delete noDur.traceEvents[3].dur;
    await rejects(noDur, 'Invalid trace: traceEvents[3].dur must be a non-negative number (got nothing)');
  });
});

describe('Chrome trace import: hostile files', () => {
  /** A source that counts the bytes it handed out, so a test sees the reader stopped early. */
  function counted(parts: () => Iterable<string | Buffer>): { source: () => Iterable<Uint8Array>; read: () => number } {
    let read = 0;
    return {
      source: function* () {
        for (const p of parts()) {
          const b = typeof p === 'string' ? Buffer.from(p) : p;
          read += b.length;
          yield b;
        }
      },
      read: () => read,
    };
  }
  const MB = 1 << 20;

  async function rejectsWith(source: () => Iterable<Uint8Array>, message: RegExp): Promise<void> {
    await assert.rejects(readChromeTrace(source, 'junk.json'), (e: unknown) => {
      assert.ok(e instanceof TraceFormatError, `a TraceFormatError, not ${String(e)}`);
      assert.match(e.message, message);
      return true;
    });
  }

  it('stops at the first byte of 200 MB of junk', async () => {
    const junk = counted(function* () {
      for (let k = 0; k < 200; k++) yield Buffer.alloc(MB, 'x');
    });
    await rejectsWith(junk.source, /^Invalid trace: the file is not valid JSON \(byte 0 of junk\.json\)$/);
    assert.ok(junk.read() <= MB, `read ${junk.read()} bytes`);
    const empty = counted(function* () {
      yield '{"traceEvents": [';
      for (let k = 0; k < 200; k++) yield Buffer.alloc(MB, 'x');
    });
    await rejectsWith(empty.source, /^Invalid trace: traceEvents\[0\] is not valid JSON \(byte 17 of junk\.json\)$/);
    assert.ok(empty.read() <= 2 * MB, `read ${empty.read()} bytes`);
  });

  it('refuses a single value larger than 64 MB, having read little more than that', async () => {
    const huge = counted(function* () {
      yield '{"traceEvents": [{"ph": "X", "name": "';
      for (let k = 0; k < 200; k++) yield Buffer.alloc(MB, 'a');
      yield '"}]}';
    });
    await rejectsWith(huge.source, /^Invalid trace: traceEvents\[0\] is larger than 64 MB \(byte 17 of junk\.json\)$/);
    assert.ok(huge.read() <= 66 * MB, `read ${huge.read()} bytes`);
  });

  it('refuses nesting deeper than 64 levels, wherever it is', async () => {
    await rejectsWith(
      counted(() => ['{"traceEvents": [', '['.repeat(1_000_000)]).source,
      /^Invalid trace: traceEvents\[0\] is nested deeper than 64 levels \(byte \d+ of junk\.json\)$/,
    );
    await rejectsWith(counted(() => ['{"metadata": ', '{"a":'.repeat(100_000)]).source, /nested deeper than 64 levels/);
  });

  it('names a file cut short, an empty file and text after the end', async () => {
    const text = JSON.stringify(exported(blockingCallback().store));
    await rejectsWith(counted(() => [text.slice(0, text.length / 2)]).source, /^Invalid trace: the file ends in the middle of the document \(byte \d+ of junk\.json\)$/);
    await rejectsWith(counted(() => ['  \n']).source, /^Invalid trace: the file is empty/);
    await rejectsWith(counted(() => [text, '{}']).source, /^Invalid trace: more text after the end of the document/);
  });

  it('reads a poolscope file that holds its metadata after its events (as files written before did)', async () => {
    const file = exported(blockingCallback().store);
    const reordered = `{"traceEvents":${JSON.stringify(file.traceEvents)},"displayTimeUnit":"ms","metadata":${JSON.stringify(file.metadata)}}`;
    const back = await imported(reordered, 4096);
    assert.deepStrictEqual(exported(back), file);
  });
});
