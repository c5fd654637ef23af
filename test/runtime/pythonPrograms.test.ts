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
    return { file, status: r.status, outcome: report.outcome, findings: report.findings, output: report.output, store, spans: [...store.spans()], lane: (s) => lanes.get(s.lane)! };
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
  this.timeout(180_000);

  describe('examples/python (the lessons)', () => {
    it('pool_callbacks.py: tasks run in the worker processes, every callback on the pool\'s result-handler thread in main\'s process', async () => {
      const t = await traced(join(EXAMPLES, 'pool_callbacks.py'));
      assert.equal(t.status, 0);
      assert.equal(t.outcome, 'returned');
      assert.deepEqual(printed(t, 'Main').slice(0, 2), ['map: [0, 1, 4, 9, 16, 25, 36, 49]', 'collected by the callback: [0, 1, 4, 9]']);
      assert.deepEqual([...t.store.pools.values()].map((p) => [p.kind, p.size]), [['Pool', 2], ['Pool', 2]]);
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
      assert.ok(spansOf(t, 'wait').some((w) => w.name === 'map') && spansOf(t, 'wait').some((w) => w.name === 'join'), 'main\'s waits are drawn');
      assert.deepEqual(rules(t), []);
    });

    it('threadpool_io.py: four worker threads overlap their I/O waits', async () => {
      const t = await traced(join(EXAMPLES, 'threadpool_io.py'));
      assert.equal(t.status, 0);
      const tasks = spansOf(t, 'task', 'download');
      assert.equal(tasks.length, 8);
      assert.ok(overlapping(tasks), 'downloads ran side by side');
      assert.equal(new Set(tasks.map((s) => t.lane(s).pid)).size, 1, 'a ThreadPool runs its tasks in one process, the program\'s own');
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
      assert.ok(t.output.some((l) => l.stream === 'stderr' && l.lane === 'Callback' && /^Exception in thread .*_handle_results/.test(l.text)), 'Python\'s own report of the dead handler, on its lane');
    });

    it('callback_blocks.py: one slow callback holds every later result of the pool behind it', async () => {
      const t = await traced(join(EXAMPLES, 'callback_blocks.py'));
      assert.equal(t.status, 0);
      const callbacks = spansOf(t, 'callback', 'save');
      assert.equal(callbacks.length, 6);
      const slow = callbacks.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      assert.ok(slow.end - slow.start >= 500_000, 'the first callback slept 0.5 s');
      assert.ok(callbacks.every((cb) => cb === slow || cb.start >= slow.end), 'the others ran only after it, on the same thread');
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
      assert.ok(failed.every((s) => s.end <= onError.start), 'only after every task had finished');
      const seen = /error_callback got: (.*)$/.exec(printed(t).find((l) => l.startsWith('error_callback got:'))!)![1];
      assert.ok(printed(t).includes(`get() raised: ${seen}`), 'get() raises the same error');
      const [unseen] = found(t, 'errors-unseen');
      assert.equal(unseen.line, 20);
      assert.match(unseen.message, /saw 1 of 3 errors.*2 other failures went unseen/);
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
      assert.ok(t.store.marks.some((m) => m.kind === 'terminate'), 'terminate() is marked');
    });
  });
});
