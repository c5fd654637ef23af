// Acceptance: programs in the style of well-known tutorials on Python's four pools (the teaching
// ones in examples/python, the rest in test/python/programs), each run unchanged through the
// built CLI, `poolscope run prog.py --json --trace`, as a user would. Every lesson a program
// teaches must show in the lanes, spans and findings; the programs that hang for ever in plain
// Python must end by themselves with a deadlock finding.
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Finding } from '../../src/analysis';
import { readChromeTrace } from '../../src/trace/chromeTrace';
import type { Lane, Span } from '../../src/trace/model';
import type { TraceStore } from '../../src/trace/store';
import { ROOT, cli } from './helpers';
import { allSpans } from '../storeSpans';

const EXAMPLES = resolve(ROOT, 'examples/python');
const PROGRAMS = resolve(ROOT, 'test/python/programs');

interface Printed {
  lane: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

interface Traced {
  file: string;
  /** the CLI's exit code */
  status: number | null;
  outcome: string;
  findings: Finding[];
  output: Printed[];
  store: TraceStore;
  spans: Span[];
  lane(s: Span): Lane;
}

const runs = new Map<string, Promise<Traced>>();

/** Runs `file` through the CLI once per mocha process and reads back its report and saved trace. */
function traced(file: string): Promise<Traced> {
  let run = runs.get(file);
  if (!run) runs.set(file, (run = traceOnce(file)));
  return run;
}

async function traceOnce(file: string): Promise<Traced> {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-py-acceptance-'));
  try {
    const trace = join(dir, 'trace.json');
    const r = cli(['run', file, '--json', '--trace', trace]);
    assert.equal(r.error, undefined, `the run of ${file} did not end by itself: ${r.error}`);
    const report = JSON.parse(r.stdout) as { outcome: string; findings: Finding[]; output: Printed[] };
    const store = await readChromeTrace(() => createReadStream(trace));
    const lanes = new Map(store.lanes.map((l) => [l.id, l]));
    return { file, status: r.status, outcome: report.outcome, findings: report.findings, output: report.output, store, spans: allSpans(store), lane: (s) => lanes.get(s.lane)! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The findings of `rule`, each given as its line and message. */
const found = (t: Traced, rule: string) => t.findings.filter((f) => f.rule === rule).map((f) => ({ line: f.site?.line, file: f.site?.file, message: f.message }));
const rules = (t: Traced) => [...new Set(t.findings.map((f) => f.rule))].sort();
const printed = (t: Traced, lane?: string) => t.output.filter((l) => l.stream === 'stdout' && (lane === undefined || l.lane === lane)).map((l) => l.text);
const spansOf = (t: Traced, kind: Span['kind'], name?: string) => t.spans.filter((s) => s.kind === kind && (name === undefined || s.name === name));

/** Whether any two of these spans ran at the same time (on different lanes). */
function overlapping(spans: Span[]): boolean {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  return sorted.some((s, i) => i > 0 && s.start < sorted[i - 1].end && s.lane !== sorted[i - 1].lane);
}

describe('Python programs in the style of the tutorials, run through the CLI', function () {
  this.timeout(300_000);

  describe('examples/python (the lessons)', () => {
    it("pool_callbacks.py: tasks run in the worker processes, every callback on the pool's result-handler thread in main's process", async () => {
      const t = await traced(join(EXAMPLES, 'pool_callbacks.py'));
      assert.equal(t.status, 0);
      assert.equal(t.outcome, 'returned');
      assert.deepEqual(printed(t, 'Main').slice(0, 2), ['map: [0, 1, 4, 9, 16, 25, 36, 49]', 'collected by the callback: [0, 1, 4, 9]']);
      assert.deepEqual(
        [...t.store.pools.values()].map((p) => [p.kind, p.size]),
        [
          ['Pool', 2],
          ['Pool', 2],
        ],
      );
      const tasks = spansOf(t, 'task', 'square');
      assert.equal(tasks.filter((s) => s.api === 'map').length, 8);
      assert.equal(tasks.filter((s) => s.api === 'apply_async').length, 4);
      // Worker lanes are processes of their own (two pids, where a thread pool's workers share one); the callbacks are not in them.
      const first = [...t.store.pools.keys()][0];
      const workerPids = new Set(t.store.lanes.filter((l) => l.kind === 'worker' && l.pool === first).map((l) => l.pid));
      assert.equal(workerPids.size, 2, 'the first pool has two worker processes');
      for (const s of tasks) assert.ok(t.lane(s).kind === 'worker' && workerPids.has(t.lane(s).pid), 'each task ran in one of them');
      const callbacks = spansOf(t, 'callback', 'collect');
      assert.equal(callbacks.length, 4);
      for (const cb of callbacks) assert.equal(t.lane(cb).kind, 'callback', 'each callback on the Callback lane');
      assert.ok(callbacks.every((cb) => cb.status === 'ok'));
      assert.equal(spansOf(t, 'task', 'describe').length, 3);
      assert.ok(spansOf(t, 'wait').some((w) => w.name === 'map') && spansOf(t, 'wait').some((w) => w.name === 'join'), "main's waits are drawn");
      assert.deepEqual(rules(t), []);
    });

    it('threadpool_io.py: four worker threads overlap their I/O waits', async () => {
      const t = await traced(join(EXAMPLES, 'threadpool_io.py'));
      assert.equal(t.status, 0);
      const tasks = spansOf(t, 'task', 'download');
      assert.equal(tasks.length, 8);
      assert.ok(overlapping(tasks), 'downloads ran side by side');
      assert.equal(new Set(tasks.map((s) => t.lane(s).pid)).size, 1, "a ThreadPool runs its tasks in one process, the program's own");
      assert.deepEqual(rules(t), [], 'I/O-bound work is what threads are for: no gil-bound');
    });

    it('callback_raises.py (hangs for ever untraced): callback-threw at the callback, deadlock at the get(), the run ends by itself', async () => {
      const file = join(EXAMPLES, 'callback_raises.py');
      const t = await traced(file);
      assert.equal(t.outcome, 'deadlock');
      assert.equal(t.status, 1);
      const [threw] = found(t, 'callback-threw');
      assert.deepEqual({ line: threw.line, file: threw.file }, { line: 14, file });
      assert.match(threw.message, /^callback `save_user` threw ConnectionError: the database is down; that killed the pool's result handler/);
      const [deadlock] = found(t, 'deadlock');
      assert.deepEqual({ line: deadlock.line, file: deadlock.file }, { line: 22, file });
      assert.match(deadlock.message, /^main can never return from get\(\)/);
      const [cb] = spansOf(t, 'callback', 'save_user');
      assert.equal(cb.status, 'threw');
      assert.equal(t.lane(cb).kind, 'callback');
      assert.deepEqual(printed(t, 'Callback'), ['saving user1']);
      assert.ok(
        t.output.some((l) => l.stream === 'stderr' && l.lane === 'Callback' && /^Exception in thread .*_handle_results/.test(l.text)),
        "Python's own report of the dead handler, on its lane",
      );
    });

    it('callback_blocks.py: one slow callback holds every later result of the pool behind it', async () => {
      const t = await traced(join(EXAMPLES, 'callback_blocks.py'));
      assert.equal(t.status, 0);
      const callbacks = spansOf(t, 'callback', 'save');
      assert.equal(callbacks.length, 6);
      const slow = callbacks.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      assert.ok(slow.end - slow.start >= 500_000, 'the first callback slept 0.5 s');
      assert.ok(
        callbacks.every((cb) => cb === slow || cb.start >= slow.end),
        'the others ran only after it, on the same thread',
      );
      const [blocked, ...more] = found(t, 'callback-blocked');
      assert.equal(more.length, 0);
      assert.equal(blocked.line, 17);
      assert.match(blocked.message, /^callback `save` held the callback thread for \d+ ms; 5 results waited behind it$/);
    });

    it('error_callback.py: the error callback sees one failure of three; get() raises that one', async () => {
      const t = await traced(join(EXAMPLES, 'error_callback.py'));
      assert.equal(t.status, 0);
      const failed = spansOf(t, 'task', 'parse').filter((s) => s.status === 'error');
      assert.equal(failed.length, 3);
      const [onError, ...again] = spansOf(t, 'callback', 'on_error');
      assert.equal(again.length, 0, 'called once');
      assert.equal(t.lane(onError).kind, 'callback');
      assert.ok(
        failed.every((s) => s.end <= onError.start),
        'only after every task had finished',
      );
      const seen = /error_callback got: (.*)$/.exec(printed(t).find((l) => l.startsWith('error_callback got:'))!)![1];
      assert.ok(printed(t).includes(`get() raised: ${seen}`), 'get() raises the same error');
      const [unseen] = found(t, 'errors-unseen');
      assert.equal(unseen.line, 20);
      assert.match(unseen.message, /saw 1 of 3 errors.*2 other failures went unseen/);
    });
    it('futures_as_completed.py: as_completed() yields in the order the tasks finish; a ThreadPoolExecutor runs each done callback on the worker that finished its task', async () => {
      const t = await traced(join(EXAMPLES, 'futures_as_completed.py'));
      assert.equal(t.status, 0);
      const [pool, ...others] = [...t.store.pools.values()];
      assert.equal(others.length, 0);
      assert.deepEqual([pool.kind, pool.size], ['ThreadPoolExecutor', 4]);
      const tasks = spansOf(t, 'task', 'load_url');
      assert.deepEqual([tasks.filter((s) => s.api === 'submit').length, tasks.filter((s) => s.api === 'map').length], [8, 4]);
      // The first batch, as as_completed() handed it out: the pages printed in the order their tasks ended.
      const firstBatch = tasks
        .filter((s) => s.api === 'submit')
        .sort((a, b) => a.start - b.start)
        .slice(0, 4);
      const urlOf = (text: string | undefined) => /'(http[^']+)'/.exec(text ?? '')?.[1];
      const byEnd = [...firstBatch].sort((a, b) => a.end - b.end).map((s) => urlOf(s.args));
      assert.deepEqual(
        printed(t, 'Main')
          .filter((l) => l.includes(' page is '))
          .map(urlOf),
        byEnd,
      );
      assert.ok(spansOf(t, 'wait', 'as_completed').length >= 4, 'main waited in as_completed()');
      assert.equal(spansOf(t, 'wait', 'wait').length, 1, 'and in futures.wait()');
      const callbacks = spansOf(t, 'callback', 'report');
      assert.equal(callbacks.length, 4);
      for (const cb of callbacks) {
        assert.equal(t.lane(cb).kind, 'worker', 'a done callback runs in the worker thread');
        const task = t.spans.find((s) => s.kind === 'task' && s.job === cb.job)!;
        assert.equal(cb.lane, task.lane, 'the very worker that finished its task');
        assert.ok(cb.start >= task.end);
      }
      assert.deepEqual(rules(t), []);
    });

    it('gil_bound.py: four threads computing side by side get one core between them: gil-bound, with the parallelism measured', async () => {
      const file = join(EXAMPLES, 'gil_bound.py');
      const t = await traced(file);
      assert.equal(t.status, 0);
      const tasks = spansOf(t, 'task', 'count_primes');
      assert.equal(tasks.length, 8);
      assert.ok(
        tasks.every((s) => s.cpu !== undefined && s.cpu > 0),
        "each task's CPU time is measured",
      );
      const [f, ...more] = found(t, 'gil-bound');
      assert.equal(more.length, 0);
      assert.deepEqual({ line: f.line, file: f.file }, { line: 20, file });
      const parallelism = Number(/a parallelism of ([\d.]+), at most one core's worth/.exec(f.message)?.[1]);
      assert.ok(parallelism > 0 && parallelism <= 1.15, f.message);
      // The workers that took tasks: on a loaded machine a thread that started late may get none.
      const workers = new Set(tasks.map((s) => s.lane)).size;
      assert.ok(workers >= 2 && workers <= 4, `${workers} workers ran the tasks`);
      assert.match(f.message, new RegExp(`^ThreadPoolExecutor's ${workers} workers ran 8 tasks side by side .* a ProcessPoolExecutor runs them on every core$`));
    });

    it('keyerror_callback.py (hangs for ever untraced): a KeyError in a callback is swallowed without a word, and get() on its job never returns', async () => {
      const file = join(EXAMPLES, 'keyerror_callback.py');
      const t = await traced(file);
      assert.equal(t.outcome, 'deadlock');
      assert.deepEqual(printed(t), ['apple: apple']);
      assert.ok(!t.output.some((l) => l.stream === 'stderr'), 'Python prints nothing about it');
      const [threw] = found(t, 'callback-threw');
      assert.deepEqual({ line: threw.line, file: threw.file }, { line: 15, file });
      assert.match(threw.message, /^callback `add_price` raised KeyError: 'plum', and the pool's result handler swallowed it without a word/);
      const [deadlock] = found(t, 'deadlock');
      assert.deepEqual({ line: deadlock.line, file: deadlock.file }, { line: 24, file });
      const [first, second] = spansOf(t, 'callback', 'add_price');
      assert.deepEqual([first.status, second.status], ['ok', 'threw']);
      assert.equal(t.lane(second).kind, 'callback');
      assert.ok(!t.store.pools.values().next().value!.handlerDied, 'the result handler lived on');
    });
  });

  describe('test/python/programs (the rest of the acceptance set)', () => {
    it('error_callback_raises_join.py (hangs for ever untraced): the dead result handler leaves join() waiting: deadlock at join()', async () => {
      const file = join(PROGRAMS, 'error_callback_raises_join.py');
      const t = await traced(file);
      assert.equal(t.outcome, 'deadlock');
      const [deadlock] = found(t, 'deadlock');
      assert.deepEqual({ line: deadlock.line, file: deadlock.file }, { line: 20, file });
      assert.match(deadlock.message, /^main can never return from join\(\)/);
      const [threw] = found(t, 'callback-threw');
      assert.equal(threw.line, 11);
      assert.match(threw.message, /^error callback `log_failure` threw RuntimeError: the log file is not writable/);
      assert.ok(!printed(t).includes('all done'));
    });

    it('terminated_get.py (hangs for ever untraced): get() on a result terminate() dropped: deadlock at that get()', async () => {
      const file = join(PROGRAMS, 'terminated_get.py');
      const t = await traced(file);
      assert.equal(t.outcome, 'deadlock');
      const [deadlock] = found(t, 'deadlock');
      assert.deepEqual({ line: deadlock.line, file: deadlock.file }, { line: 17, file });
      assert.match(deadlock.message, /terminated/);
      assert.deepEqual(printed(t), ['first: 0']);
      assert.ok(
        t.store.marks.some((m) => m.kind === 'terminate'),
        'terminate() is marked',
      );
    });
    it('process_worker_dies.py: a worker process that dies breaks the executor: its task lost, worker-crashed, BrokenProcessPool for the rest', async () => {
      const file = join(PROGRAMS, 'process_worker_dies.py');
      const t = await traced(file);
      assert.equal(t.status, 0);
      const [pool] = t.store.pools.values();
      assert.equal(pool.kind, 'ProcessPoolExecutor');
      assert.match(pool.broken?.cause ?? '', /^BrokenProcessPool: A child process terminated abruptly/);
      const died = t.store.marks.filter((m) => m.kind === 'worker-died');
      assert.equal(died.length, 1);
      assert.equal(died[0].exitCode, 1);
      const lost = t.spans.filter((s) => s.kind === 'task' && s.status === 'lost');
      assert.equal(lost.filter((s) => s.lane === died[0].lane).length, 1, 'the task it was running is lost with it');
      // The other worker may have been inside a task too: the executor ended it there.
      for (const s of lost.filter((s) => s.lane !== died[0].lane)) assert.match(s.text ?? '', /^the executor broke while it ran/);
      const [crashed] = found(t, 'worker-crashed');
      assert.deepEqual({ line: crashed.line, file: crashed.file }, { line: 10, file });
      assert.match(crashed.message, /exited with code 1 while running `work`.*BrokenProcessPool/);
      assert.ok(printed(t).includes('submit after the crash: A child process terminated abruptly, the process pool is not usable anymore'));
      assert.ok(
        spansOf(t, 'wait', 'result').some((w) => w.status === 'error'),
        'result() raised for the futures it took down',
      );
    });

    it('broken_kills_running.py: the executor a dead worker broke ends the other one: its task lost, the queued ones never run, one worker-crashed', async () => {
      const file = join(PROGRAMS, 'broken_kills_running.py');
      const t = await traced(file);
      assert.equal(t.status, 0);
      assert.deepEqual(printed(t), Array(5).fill('BrokenProcessPool'));
      const tasks = (name: string) => spansOf(t, 'task', name).map((s) => ({ status: s.status, text: s.text?.split('\n')[0] }));
      assert.deepEqual(tasks('serve'), [{ status: 'lost', text: 'the executor broke while it ran: A child process terminated abruptly, the process pool is not usable anymore' }]);
      assert.deepEqual(
        tasks('crash').map((s) => s.status),
        ['lost'],
      );
      assert.deepEqual(tasks('never'), Array(3).fill({ status: 'cancelled', text: undefined }));
      const crashed = found(t, 'worker-crashed');
      assert.equal(crashed.length, 1, 'the worker the executor ended did not crash');
      assert.deepEqual({ line: crashed[0].line, file: crashed[0].file }, { line: 23, file });
    });

    it('terminate_drops.py: terminate() kills the running task (lost) and drops the queued ones (never run); nothing crashed', async () => {
      const file = join(PROGRAMS, 'terminate_drops.py');
      const t = await traced(file);
      assert.equal(t.status, 0);
      assert.deepEqual(printed(t), ['ready after terminate: [False, False, False, False, False, False]']);
      const tasks = spansOf(t, 'task');
      const serve = tasks.filter((s) => s.name === 'serve');
      assert.deepEqual(
        serve.map((s) => ({ status: s.status, text: s.text })),
        [{ status: 'lost', text: 'the pool was terminated while it ran' }],
      );
      const queued = tasks.filter((s) => s.name === 'never');
      // Four apply_async tasks and the two chunks of the map_async.
      assert.deepEqual(
        queued.map((s) => s.status),
        Array(6).fill('cancelled'),
      );
      assert.ok(
        t.store.marks.some((m) => m.kind === 'terminate'),
        'terminate() is marked',
      );
      assert.deepEqual(found(t, 'worker-crashed'), []);
    });

    it('thread_terminate_drops.py: terminate() on a ThreadPool drops the queued tasks (never run); the one a thread runs is not dropped', async () => {
      const file = join(PROGRAMS, 'thread_terminate_drops.py');
      const t = await traced(file);
      assert.equal(t.status, 0);
      assert.deepEqual(printed(t), ['ready after terminate: [False, False, False, False]']);
      assert.deepEqual(
        spansOf(t, 'task', 'work').map((s) => [s.status, t.lane(s).kind]),
        Array(3).fill(['cancelled', 'worker']),
      );
      const [hold] = spansOf(t, 'task', 'hold');
      assert.notEqual(hold.status, 'cancelled', 'the running task goes on');
      assert.deepEqual(found(t, 'worker-crashed'), []);
    });

    it('initializer_fails_executor.py: a ThreadPoolExecutor whose initializer raises is broken: pool-broken at the initializer', async () => {
      const file = join(PROGRAMS, 'initializer_fails_executor.py');
      const t = await traced(file);
      assert.equal(t.status, 0);
      assert.deepEqual(printed(t, 'Main'), ['result() raised: A thread initializer failed, the thread pool is not usable anymore']);
      const inits = spansOf(t, 'init', 'connect');
      assert.ok(inits.length >= 1 && inits.every((s) => s.status === 'error' && t.lane(s).kind === 'worker'));
      assert.ok(
        t.output.some((l) => l.stream === 'stderr' && l.text === 'Exception in initializer:' && t.store.lanes.some((x) => x.name === l.lane && x.kind === 'worker')),
        "Python's log line, on the worker that failed",
      );
      const [broken] = found(t, 'pool-broken');
      assert.deepEqual({ line: broken.line, file: broken.file }, { line: 7, file });
      assert.match(
        broken.message,
        /^ThreadPoolExecutor is broken: initializer `connect` threw ConnectionRefusedError: database on port 5432 refused the connection; every pending future failed with BrokenThreadPool/,
      );
    });

    it('initializer_fails_pool.py (hangs for ever untraced): no worker of a Pool whose initializer fails ever runs a task, so map() never returns: deadlock at map()', async () => {
      const file = join(PROGRAMS, 'initializer_fails_pool.py');
      const t = await traced(file);
      assert.equal(t.outcome, 'deadlock');
      const [deadlock] = found(t, 'deadlock');
      assert.deepEqual({ line: deadlock.line, file: deadlock.file }, { line: 17, file });
      assert.match(deadlock.message, /^main can never return from map\(\): the initializer raised in every worker/);
      assert.ok(
        deadlock.message.includes('ConnectionRefusedError') ||
          t.findings.find((f) => f.rule === 'deadlock')!.related.some((r) => /initializer `connect` threw ConnectionRefusedError/.test(r.message)),
        'it names the initializer and its error',
      );
      const inits = spansOf(t, 'init', 'connect');
      // The run ends at the deadlock: a worker started again meanwhile may still be inside the initializer.
      const failed = inits.filter((s) => s.status === 'error');
      assert.ok(failed.length >= 2 && inits.every((s) => s.status === 'error' || s.status === 'running'), 'each worker ran the failing initializer');
      assert.equal(new Set(inits.map((s) => t.lane(s).pid)).size, inits.length, 'each in a process of its own');
      assert.ok(
        t.store.marks.filter((m) => m.kind === 'worker-died').every((m) => m.exitCode === 1),
        'and died of it',
      );
      assert.deepEqual(spansOf(t, 'task'), [], 'no task ever ran');
    });

    it('errors_unretrieved.py: futures that failed and were never looked at: error-unretrieved at the task function', async () => {
      const file = join(PROGRAMS, 'errors_unretrieved.py');
      const t = await traced(file);
      assert.equal(t.status, 0);
      assert.deepEqual(printed(t), ['finished']);
      assert.equal(spansOf(t, 'task', 'resize').filter((s) => s.status === 'error').length, 2);
      const [f] = found(t, 'error-unretrieved');
      assert.deepEqual({ line: f.line, file: f.file }, { line: 7, file });
      assert.match(f.message, /^2 calls of `resize` failed \(first: ValueError: cannot resize .\.gif\) and their errors were never looked at/);
    });

    it("done_callbacks_process.py: a ProcessPoolExecutor runs done callbacks on its manager thread in main's process; one that raises is logged and the next still runs", async () => {
      const t = await traced(join(PROGRAMS, 'done_callbacks_process.py'));
      assert.equal(t.status, 0);
      const [broken] = spansOf(t, 'callback', 'broken');
      const [show] = spansOf(t, 'callback', 'show');
      assert.equal(broken.status, 'threw');
      assert.equal(show.status, 'ok');
      assert.ok(show.start >= broken.end, 'in the order they were added');
      for (const cb of [broken, show]) assert.equal(t.lane(cb).kind, 'callback', 'on the manager thread (the Callback lane), not in the worker process');
      const [task] = spansOf(t, 'task', 'cube');
      assert.notEqual(t.lane(task).kind, 'callback');
      assert.ok(t.output.some((l) => l.lane === t.lane(show).name && l.text === 'callback in Thread-1 -> 27'));
      const [threw] = found(t, 'callback-threw');
      assert.equal(threw.line, 25, 'at def broken');
      assert.match(threw.message, /^done callback `broken` threw LookupError: no such record; the executor logged it and ran the later callbacks/);
    });
  });
});
