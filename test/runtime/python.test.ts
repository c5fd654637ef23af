// Real Python programs under poolscope's tracer (the python-probes' lessons as programs): what a
// user sees of them, lanes, spans and findings, through the host API and the CLI, with nothing
// left behind. Programs that hang untraced end with a deadlock finding.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Finding } from '../../src/analysis';
import type { RunResult } from '../../src/runtime/host/run';
import type { Span } from '../../src/trace/model';
import { FIXTURES, HANG_MS, ROOT, host, lineOf } from './helpers';
import { allSpans } from '../storeSpans';

const PY = resolve(FIXTURES, 'python');

interface PyRun extends RunResult {
  findings: Finding[];
  spans: Span[];
  lines: { lane: string; text: string }[];
  laneOf(s: Span): string;
}

async function runPython(name: string, args: string[] = []): Promise<PyRun> {
  const { startPythonRun, analyze } = await host();
  const r = await startPythonRun(resolve(PY, name), { args, timeoutMs: HANG_MS }).done;
  const laneName = (id: number) => r.store.laneById(id)?.name ?? `lane ${id}`;
  return {
    ...r,
    findings: r.outcome === 'bad-input' ? [] : analyze(r.store),
    spans: allSpans(r.store),
    lines: r.store.logs.map((l) => ({ lane: laneName(l.lane), text: l.text })),
    laneOf: (s) => laneName(s.lane),
  };
}

function only(run: PyRun, rule: Finding['rule']): Finding {
  const found = run.findings.filter((f) => f.rule === rule);
  assert.equal(found.length, 1, `${found.length} ${rule} findings in ${run.findings.map((f) => f.rule).join(', ') || 'none'}`);
  return found[0];
}

const lineIn = (name: string, text: string) => lineOf(readFileSync(resolve(PY, name), 'utf8'), text);

/** Runs the CLI with a temp dir of its own, so what the run leaves there can be seen. */
function cli(args: string[]) {
  const temp = mkdtempSync(join(tmpdir(), 'pytest-tmp-'));
  try {
    const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: HANG_MS, env: { ...process.env, TMPDIR: temp } });
    return { ...r, leftInTemp: readdirSync(temp) };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

describe('Python programs', function () {
  this.timeout(300_000);

  it('a run folder that fills up (a 6 MB tmpfs): no SIGBUS, the program runs on with its output, says where its records stopped and returns', function () {
    // A mount namespace of its own makes the small file system; where one cannot be made, nothing to test.
    const probe = spawnSync('unshare', ['-rm', 'true']);
    if (probe.status !== 0) this.skip();
    const script = ['set -e', 'TMPDIR=$(mktemp -d)', 'mount -t tmpfs -o size=6m tmpfs "$TMPDIR"', 'export TMPDIR', 'exec "$0" "$@"'].join('\n');
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', script, process.execPath, resolve(ROOT, 'dist/cli.mjs'), 'run', resolve(PY, 'fills_the_disk.py')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: HANG_MS,
    });
    assert.equal(r.error, undefined, `the CLI did not end by itself: ${r.error}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /^Main +│ poolscope: the run's records stop here: .*\.rec has no room for more \(No space left on device\); the program runs on untraced$/m);
    assert.match(r.stdout, /^Main +│ total 4999950000$/m, 'what it printed after the records stopped reaches the user');
    const tasks = Number(/^── poolscope: returned after [\d.]+ ms · (\d+) tasks issued/m.exec(r.stdout)?.[1]);
    assert.ok(tasks > 1000 && tasks < 100_000, `${tasks} tasks recorded before the records stopped`);
    assert.match(r.stdout, /^the trace stops at [\d.]+ ms: .*\.rec has no room for more \(No space left on device\); what came after is not in it/m);
    // The pool was closed after the records stopped: no rule says it was not.
    assert.match(r.stdout, /^no findings$/m);
  });

  it('through the CLI: the output with lanes, a summary per lane, no findings, nothing left on disk', () => {
    const r = cli(['run', resolve(PY, 'threadpool_callbacks.py')]);
    assert.equal(r.error, undefined, `the CLI did not end by itself: ${r.error}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => l.includes('│')),
      ['Callback │ callback got 9', 'Main     │ get: 9', 'Main     │ [0, 1, 4, 9, 16, 25]', 'Main     │ raised boom 7', 'Main     │ done'],
    );
    assert.match(r.stdout, /^── poolscope: returned after [\d.]+ ms · 5 tasks issued, 1 failed ──$/m);
    for (const lane of ['Main', 'Callback', 'Worker 1', 'Worker 2']) assert.match(r.stdout, new RegExp(`^${lane}\\s+[\\d.]+%`, 'm'));
    assert.match(r.stdout, /^no findings$/m);
    assert.deepEqual(r.leftInTemp, [], 'the run folder is removed');
  });

  it('through the CLI: the program gets its arguments; a syntax error is bad input at its line', () => {
    const args = cli(['run', resolve(PY, 'broken_pools.py'), 'fork']);
    assert.match(args.stdout, /^Main +│ process executor: BrokenProcessPool$/m);
    const dir = mkdtempSync(join(tmpdir(), 'pytest-bad-'));
    try {
      const file = join(dir, 'bad.py');
      writeFileSync(file, 'x = 1\nif x\n    pass\n');
      const bad = cli(['run', file]);
      assert.equal(bad.status, 2, bad.stdout + bad.stderr);
      assert.match(bad.stderr, new RegExp(`^poolscope: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:\\d+: SyntaxError: `, 'm'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('A.6 a blocking callback holds the Callback lane and the results behind it: callback-blocked', async () => {
    const run = await runPython('callback_blocks.py');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.deepEqual(run.lines, [{ lane: 'Main', text: 'A B C' }]);
    const cb = run.spans.filter((s) => s.kind === 'callback');
    assert.equal(cb.length, 1);
    assert.equal(run.laneOf(cb[0]), 'Callback');
    assert.equal(cb[0].name, 'slow_cb');
    const tasks = run.spans.filter((s) => s.kind === 'task');
    assert.deepEqual(
      tasks.map((t) => [run.laneOf(t), t.name, t.status]),
      [
        ['Worker 1', 'ident', 'ok'],
        ['Worker 1', 'ident', 'ok'],
        ['Worker 1', 'mark_c', 'ok'],
      ],
    );
    const f = only(run, 'callback-blocked');
    assert.equal(f.site?.line, lineIn('callback_blocks.py', 'def slow_cb'));
    assert.match(f.message, /^callback `slow_cb` held the callback thread for \d+ ms; 2 results waited behind it$/);
    assert.deepEqual(
      f.related.slice(1).map((r) => r.site?.line),
      [lineIn('callback_blocks.py', 'b = pool.apply_async'), lineIn('callback_blocks.py', 'c = pool.apply_async')],
    );
  });

  it('A.7 a raising callback kills the result handler: callback-threw, and the get() that would hang ends the run as a deadlock', async () => {
    const run = await runPython('callback_throws.py');
    assert.equal(run.outcome, 'deadlock');
    assert.ok(!run.lines.some((l) => l.text === 'never printed'));
    const printed = run.lines.filter((l) => l.lane === 'Callback').map((l) => l.text);
    assert.equal(printed[0], 'Exception in thread Thread-5 (_handle_results):');
    assert.equal(printed[printed.length - 1], 'RuntimeError: callback raised');
    assert.ok(!printed.some((l) => l.includes('poolscope_tracer')), 'no tracer frame in the traceback');
    const threw = only(run, 'callback-threw');
    assert.equal(threw.site?.line, lineIn('callback_throws.py', 'def bad_cb'));
    const dead = only(run, 'deadlock');
    assert.equal(dead.site?.line, lineIn('callback_throws.py', 'r.get()'));
    assert.match(dead.message, /^main can never return from get\(\): the pool's result handler thread died \(RuntimeError: callback raised\)/);
    const wait = run.spans.find((s) => s.kind === 'wait' && s.name === 'get');
    assert.equal(wait?.status, 'running', 'the wait never ended');
    assert.ok(run.store.marks.some((m) => m.kind === 'handler-died' && run.store.laneById(m.lane)?.name === 'Callback'));
  });

  it('A.4 a failing map_async: its error callback sees one error, the rest unseen (errors-unseen); an error nobody looked at (error-unretrieved)', async () => {
    const run = await runPython('map_errors.py');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const unseen = only(run, 'errors-unseen');
    assert.equal(unseen.site?.line, lineIn('map_errors.py', 'pool.map_async('));
    assert.match(unseen.message, /saw 1 of 3 errors/);
    const errorCb = run.spans.find((s) => s.kind === 'callback' && s.cbKind === 'error');
    assert.equal(run.laneOf(errorCb!), 'Callback');
    const unretrieved = only(run, 'error-unretrieved');
    assert.equal(unretrieved.site?.line, lineIn('map_errors.py', 'def lonely'));
    assert.equal(unretrieved.related[0].site?.line, lineIn('map_errors.py', 'pool.apply_async(lonely'));
  });

  for (const method of ['fork', 'spawn', 'forkserver']) {
    it(`B.21 broken executors under ${method}: pool-broken (BrokenThreadPool) and worker-crashed (BrokenProcessPool), workers on their own lanes`, async () => {
      const run = await runPython('broken_pools.py', [method]);
      assert.equal(run.outcome, 'returned', run.error?.message);
      assert.deepEqual(
        run.lines.filter((l) => l.lane === 'Main').map((l) => l.text),
        ['thread executor: BrokenThreadPool', 'process executor: BrokenProcessPool'],
      );
      const broken = only(run, 'pool-broken');
      assert.equal(broken.site?.line, lineIn('broken_pools.py', 'def init'));
      assert.match(broken.message, /^ThreadPoolExecutor is broken: initializer `init` threw ValueError: init failed/);
      const crashed = only(run, 'worker-crashed');
      assert.match(crashed.message, /of the ProcessPoolExecutor exited with code 3 while running `crash`/);
      const task = run.spans.find((s) => s.kind === 'task' && s.name === 'crash');
      assert.equal(task?.status, 'lost');
      const lane = run.store.laneById(task!.lane)!;
      assert.match(lane.name, /^Worker \d+$/);
      assert.equal(lane.kind, 'worker');
      assert.ok(lane.pid !== undefined && lane.pid !== run.store.lanes.find((l) => l.name === 'Main')?.pid, 'the crashed task ran in a child process');
      assert.ok(!run.findings.some((f) => f.rule === 'pool-not-closed'), 'a `with` block shut both executors down');
    });
  }

  it('Stop ends every process of the run (pool workers, a child in its own session) and keeps the trace so far', async () => {
    const { startPythonRun } = await host();
    const handle = startPythonRun(resolve(PY, 'sleepers.py'), { timeoutMs: HANG_MS });
    const store = handle.store;
    // A gate, not a delay: stop once all four tasks run (two in each pool's workers) and the child is known.
    const running = () => allSpans(store).filter((s) => s.kind === 'task' && s.status === 'running').length;
    const ready = () => running() === 4 && store.logs.some((l) => l.text.startsWith('child '));
    while (!ready()) await new Promise((r) => setTimeout(r, 20));
    const pids = [...store.lanes.map((l) => l.pid), Number(store.logs.find((l) => l.text.startsWith('child '))!.text.split(' ')[1])].filter((p): p is number => p !== undefined);
    await handle.stop();
    const r = await handle.done;
    assert.equal(r.outcome, 'stopped');
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, [], 'every process of the run has ended');
    assert.equal(allSpans(r.store).filter((s) => s.kind === 'task').length, 4, 'the trace keeps the tasks that were running');
    // Main was blocked in a wait the tracer does not draw: the stop names its line, and so does the trace.
    const blocked = readFileSync(resolve(PY, 'sleepers.py'), 'utf8').split('\n').lastIndexOf('    threading.Event().wait()') + 1;
    assert.match(r.error!.message, new RegExp(`^stopped: Main was at .*sleepers\\.py:${blocked}:\\d+; `));
    assert.equal(r.store.meta.stoppedAt?.line, blocked);
  });

  it('Stop while main spins in its own code names the line it spins at, with main drawn running (a time limit ends a run the same way)', async () => {
    const { startPythonRun } = await host();
    const file = resolve(PY, 'main_spins.py');
    const loop = `${file}:${lineIn('main_spins.py', 'while True:')}:\\d+`;
    const handle = startPythonRun(file, { timeoutMs: HANG_MS });
    const mainRunning = () => allSpans(handle.store).some((s) => s.kind === 'run' && s.status === 'running');
    // The gate: main printed its result, the last thing before the loop, and is drawn running.
    while (!handle.store.logs.some((l) => l.text === 'got 42') || !mainRunning()) await new Promise((r) => setTimeout(r, 20));
    await handle.stop();
    const r = await handle.done;
    assert.equal(r.outcome, 'stopped');
    assert.match(r.error!.message, new RegExp(`^stopped: Main was running its own code without a pause at ${loop} for [\\d.]+ s$`));
    assert.equal(r.error!.site?.line, lineIn('main_spins.py', 'while True:'));
  });

  it("through the CLI: main's own running time is drawn busy on its lane, and its waits after it as waits", () => {
    const r = cli(['run', resolve(PY, 'main_spins_then_waits.py')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const spun = Number(/│ spun (\d+) ms$/m.exec(r.stdout)?.[1]);
    const ran = Number(/returned after ([\d.]+) ms/.exec(r.stdout)?.[1]);
    const main = /^Main\s+([\d.]+)%\s+([\d.]+)%/m.exec(r.stdout);
    assert.ok(main && spun >= 500, r.stdout);
    // Main's thread is read a few times a second: the reading before the spin began may miss its start.
    assert.ok((Number(main[1]) / 100) * ran >= spun / 2, `Main is not drawn busy for its ${spun} ms spin:\n${r.stdout}`);
    assert.ok(Number(main[2]) > 0, `Main's waits are not drawn:\n${r.stdout}`);
  });

  it('a main idle in a wait the tracer draws (sleep) or in a call it does not (select) is not drawn running', async () => {
    const run = await runPython('main_idles.py');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const sleeps = run.spans.filter((s) => s.kind === 'wait' && s.name === 'sleep' && run.laneOf(s) === 'Main');
    assert.equal(sleeps.length, 2);
    const drawnIdle = run.spans.filter((s) => s.kind === 'run' && s.end > sleeps[0].start && s.start < sleeps[1].start);
    assert.deepEqual(drawnIdle, []);
  });

  it('A.11 a process Pool whose initializer always raises respawns its workers; apply() would wait for ever: initializer-respawn and deadlock', async () => {
    const run = await runPython('initializer_respawn.py');
    assert.equal(run.outcome, 'deadlock');
    const dead = only(run, 'deadlock');
    assert.equal(dead.site?.line, lineIn('initializer_respawn.py', 'pool.apply('));
    assert.match(dead.message, /^main can never return from apply\(\): the initializer raised in every worker/);
    const respawn = only(run, 'initializer-respawn');
    assert.equal(respawn.site?.line, lineIn('initializer_respawn.py', 'def init'));
    // A respawned worker may still be inside its initializer when the run ends: it is drawn but has no outcome yet.
    const inits = run.spans.filter((s) => s.kind === 'init');
    assert.ok(
      inits.every((s) => s.status !== 'ok' && run.store.laneById(s.lane)?.kind === 'worker'),
      'no initializer ever succeeded, each on a worker lane',
    );
    assert.ok(inits.filter((s) => s.status === 'error').length >= 2, 'each of the two first workers failed in its initializer');
  });
});
