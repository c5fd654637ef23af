// Broken programs and bad input never hang, crash or lose the trace. For each case: a clear
// message naming what was wrong and where, the run ends by itself or by Stop, no thread or
// process of the run is left behind (counted), and what was recorded before the fault is kept.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SpanKind } from '../../src/trace/model';
import type { TraceStore } from '../../src/trace/store';
import { FIXTURES, ROOT, cli, host, lineOf, runFile, type Run, type TestRunOptions } from './helpers';

const FAULTS = resolve(FIXTURES, 'faults');
const BAD = resolve(FIXTURES, 'bad-input');
const fault = (name: string) => resolve(FAULTS, name);
const lineIn = (file: string, text: string) => lineOf(readFileSync(file, 'utf8'), text);

function threads(): number {
  return readdirSync('/proc/self/task').length;
}

/** Live child processes of this one (the compiler's service, once started, stays and is counted in both readings). */
function children(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

/** Runs in this process through the host API, then checks that the run took every thread and process it started with it. */
async function counted(file: string, opts: TestRunOptions = {}): Promise<Run> {
  const before = { threads: threads(), children: children() };
  const run = await runFile(file, opts);
  assert.deepEqual({ threads: threads(), children: children() }, before, 'threads or processes of the run outlived it');
  return run;
}

const printed = (text: string) => (store: TraceStore) => store.logs.some((l) => l.text === text);

/** A span of `kind` is open: main's running time is drawn ('run'), or a thread waits ('wait'). */
const open = (kind: SpanKind) => (store: TraceStore) => {
  for (let i = store.spanCount - 1; i >= 0; i--) if (store.kind(i) === kind && store.status(i) === 'running') return true;
  return false;
};
const mainRunning = open('run');
const waiting = open('wait');

/** The CLI ended by itself with `status`, and said `message` on stderr. */
function assertCliEnds(r: ReturnType<typeof cli>, status: number, message?: RegExp): void {
  assert.equal(r.error, undefined, `the CLI did not end by itself: ${r.error}`);
  assert.equal(r.status, status, `exit ${r.status}\n${r.stdout}${r.stderr}`);
  if (message) assert.match(r.stderr + r.stdout, message);
}

const scratch = mkdtempSync(join(tmpdir(), 'poolscope-faults-'));

describe('faults and bad input', function () {
  this.timeout(300_000);

  before(async () => {
    // The first run starts what stays for the process's life (the compiler's service, libuv's
    // threads): counts are taken after it.
    await runFile(resolve(FAULTS, 'string-escapes-main.ts'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  describe('the file', () => {
    it('a folder is reported as a folder', () => {
      const r = cli(['run', FAULTS]);
      assertCliEnds(r, 2, new RegExp(`${FAULTS}:1:1: is a folder, not a task file`));
    });

    it('an empty file: no main', async () => {
      const file = join(scratch, 'empty.ts');
      writeFileSync(file, '');
      assertCliEnds(cli(['run', file]), 2, new RegExp(`${file}:1:1: .*does not export a \`main\` function`));
      assert.equal((await counted(file)).outcome, 'bad-input');
    });

    it('main that is not a function says what it is', async () => {
      const file = resolve(BAD, 'main-not-a-function.ts');
      assertCliEnds(cli(['run', file]), 2, /exports `main` as a number, not as a function/);
      assert.equal((await counted(file)).outcome, 'bad-input');
    });

    it('a TypeScript syntax error names file:line:col', () => {
      const file = join(scratch, 'syntax-error.ts');
      writeFileSync(file, 'export function half(x: number): number {\n  return x /;\n}\nexport async function main() {}\n');
      assertCliEnds(cli(['run', file]), 2, new RegExp(`${file}:2:13: `));
    });

    it('a BOM and CRLF line ends: the program runs and its lines are right', async () => {
      const file = join(scratch, 'bom-crlf.ts');
      const source = [
        'import { ThreadPool } from "poolscope";',
        'export function sq(x: number) { return x * x; }',
        'export async function main() {',
        '  await using pool = new ThreadPool({ processes: 1 });',
        '  console.log(await pool.apply(sq, [3]));',
        '  throw new Error("on line 6");',
        '}',
        '',
      ];
      writeFileSync(file, '\uFEFF' + source.join('\r\n'));
      const r = cli(['run', file]);
      assertCliEnds(r, 1);
      assert.match(r.stdout, /^Main\s+│ 9$/m);
      assert.match(r.stdout, new RegExp(`^${file}:6:9: Error: on line 6$`, 'm'));
    });

    it('a path with spaces, accents and URL characters is shown as it is, in findings, --json and the trace', async () => {
      const dir = join(scratch, 'dir with space & ünïcode #1 %41 [x] \'q\' "dq"?');
      mkdirSync(dir);
      const file = join(dir, 'tâche #2 %20.ts');
      writeFileSync(file, readFileSync(resolve(ROOT, 'examples/callback-throws.ts')));
      const trace = join(scratch, 'odd-path.trace.json');
      const r = cli(['run', file, '--trace', trace]);
      assertCliEnds(r, 1);
      const findingLines = r.stdout.split('\n').filter((l) => / \[[a-z-]+\]$/.test(l));
      assert.ok(findingLines.length >= 2, r.stdout);
      for (const l of findingLines) assert.ok(l.startsWith(`${file}:`), `a finding line does not start with the real path:\n${l}`);
      assert.ok(!/%[0-9A-F]{2}/.test(r.stdout.replaceAll(file, '')), `something percent-encoded remains:\n${r.stdout}`);
      const json = JSON.parse(cli(['run', file, '--json']).stdout);
      for (const f of json.findings) assert.equal(f.site.file, file);
      const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents as { cat?: string; args?: { site?: { file: string } } }[];
      const sites = events.filter((e) => e.args?.site).map((e) => e.args!.site!.file);
      assert.ok(sites.length > 0);
      assert.deepEqual(new Set(sites), new Set([file]));
    });
  });

  describe('outputs and reports', () => {
    it('an unwritable --trace or --html is found before anything runs: exit 2, naming the path', () => {
      const prints = fault('prints.ts');
      const r = cli(['run', prints, '--trace', join(scratch, 'no-such-folder', 't.json')]);
      assertCliEnds(r, 2, new RegExp(`--trace .*no-such-folder/t\\.json: the folder .*no-such-folder does not exist; nothing was run`));
      assert.doesNotMatch(r.stdout, /from main/);
      const h = cli(['run', prints, '--html', scratch]);
      assertCliEnds(h, 2, new RegExp(`--html ${scratch}: ${scratch} is a folder`));
      assert.doesNotMatch(h.stdout, /from main/);
    });

    it('input found bad after tasks ran (exit 2) still writes the trace and the report of what ran', () => {
      const file = fault('not-exported-after-tasks.ts');
      const trace = join(scratch, 'bad-after.json');
      const html = join(scratch, 'bad-after.html');
      const r = cli(['run', file, '--trace', trace, '--html', html]);
      assertCliEnds(r, 2, new RegExp(`${file}:${lineIn(file, 'pool.apply(hidden')}:\\d+: ValueError: task function \`hidden\` is not exported`));
      assert.match(r.stdout, /4 tasks issued, 0 failed/);
      const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents as { cat?: string; name?: string }[];
      assert.equal(events.filter((e) => e.cat === 'task' && e.name === 'square').length, 4);
      assert.ok(readFileSync(html, 'utf8').length > 0);
    });

    it("--json keeps the program's own output, and stdout is one JSON value", () => {
      const r = cli(['run', fault('prints.ts'), '--json']);
      assertCliEnds(r, 0);
      const out = JSON.parse(r.stdout).output as { lane: string; stream: string; text: string }[];
      assert.deepEqual(
        out.map((l) => `${l.lane} ${l.stream} ${l.text}`),
        ['Main stdout from main', 'Worker 1 stdout from the task', 'Main stderr to stderr'],
      );
    });

    it('--help goes to stdout, exit 0; a usage mistake to stderr, exit 2', () => {
      const help = cli(['--help']);
      assertCliEnds(help, 0);
      assert.match(help.stdout, /^usage:/);
      assert.equal(help.stderr, '');
      const bad = cli(['run']);
      assertCliEnds(bad, 2, /poolscope: run needs a file/);
      assert.equal(bad.stdout, '');
    });

    it('--no-trace says that recording was off', () => {
      const r = cli(['run', fault('prints.ts'), '--no-trace']);
      assertCliEnds(r, 0);
      assert.match(r.stdout, /tasks, callbacks and waits not recorded \(--no-trace\)/);
      assert.match(r.stdout, /no findings \(with recording off, only deadlocks can be found\)/);
    });
  });

  describe('values', () => {
    it('a string escaping main is printed once, with its file:line', async () => {
      const file = fault('string-escapes-main.ts');
      const r = cli(['run', file]);
      assertCliEnds(r, 1);
      const line = lineIn(file, "throw 'a plain string'");
      assert.equal(r.stdout.split('\n').filter((l) => l.includes('a plain string')).length, 1, r.stdout);
      assert.match(r.stdout, new RegExp(`^${file}:${line}:3: Uncaught "a plain string"$`, 'm'));
      const run = await counted(file);
      assert.equal(run.outcome, 'threw');
      assert.deepEqual(run.error?.site, { file, line, col: 3 });
      assert.ok(run.lines.some((l) => l.text === 'before the throw'));
    });

    it('undefined escaping main, likewise', () => {
      const file = fault('undefined-escapes-main.ts');
      const r = cli(['run', file]);
      assertCliEnds(r, 1);
      assert.match(r.stdout, new RegExp(`^${file}:${lineIn(file, 'throw undefined')}:3: Uncaught undefined$`, 'm'));
      assert.equal(r.stdout.split('\n').filter((l) => l.includes('Uncaught')).length, 1, r.stdout);
    });

    it('a plain object thrown in a callback is shown as its fields', async () => {
      const run = await counted(fault('object-thrown-in-callback.ts'));
      const threw = run.findings.find((f) => f.rule === 'callback-threw');
      assert.ok(threw, run.findings.map((f) => f.rule).join());
      assert.match(threw.message, /threw Uncaught \{ code: 42, why: 'no reason' \}/);
      assert.doesNotMatch(JSON.stringify(run.findings), /object Object/);
    });

    it('a string, undefined and an object thrown in tasks reach main as they were thrown', async () => {
      const run = await counted(fault('non-errors-in-tasks.ts'));
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['throwsString -> string "string from a task"', 'throwsUndefined -> undefined undefined', 'throwsObject -> object {"a":1,"b":[2,3]}'],
      );
      assert.equal(run.spans.filter((s) => s.kind === 'task' && s.status === 'error').length, 3);
    });

    it('a function returned as a result: MaybeEncodingError at the line that awaited it, not 1:1', async () => {
      const file = fault('function-result.ts');
      const run = await counted(file);
      assert.equal(run.outcome, 'bad-input');
      assert.match(run.error!.message, /MaybeEncodingError: Error sending result: '<function anonymous>'/);
      assert.equal(run.error?.site?.line, lineIn(file, 'await pool.apply(makeFunction)'));
    });

    it('an argument whose getter throws: MaybeEncodingError at the call, the object shown as itself', async () => {
      const file = fault('throwing-getter.ts');
      const run = await counted(file);
      assert.equal(run.outcome, 'bad-input');
      assert.match(run.error!.message, /MaybeEncodingError: Error sending arguments: '\[ \{ bad: \[Getter\] \} \]'\. Reason: 'getter threw'/);
      assert.equal(run.error?.site?.line, lineIn(file, 'pool.apply(take'));
    });

    it('a class instance with #private fields and a getter, as an argument (apply, map) and as a result: it arrives as a plain object, and class-lost says so at the call, or at the task for a result', async () => {
      const file = fault('class-instances.ts');
      const r = cli(['run', file]);
      assertCliEnds(r, 0);
      const shown = r.stdout.split('\n').filter((l) => l.endsWith('[class-lost]'));
      assert.equal(shown.length, 3, r.stdout);
      const run = await counted(file);
      assert.equal(run.outcome, 'returned', run.error?.message);
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['false undefined', 'false undefined', '6', 'false undefined,false undefined'],
      );
      const gone = ": it arrived in the task as a plain object: its class, #private fields and getters are gone (Python's pickle would have kept them, or failed)";
      const lost = run.findings.filter((f) => f.rule === 'class-lost');
      assert.deepEqual(
        lost.map((f) => [f.message, f.site?.line]),
        [
          [`argument 0 of apply() was an instance of Account${gone.replace(':', ';')}`, lineIn(file, 'threads.apply(balanceOf')],
          [
            "the result of task `open` was an instance of Account; it arrived in main as a plain object: its class, #private fields and getters are gone (Python's pickle would have kept them, or failed)",
            lineIn(file, 'export function open('),
          ],
          [`item 0 of map() was an instance of Account${gone.replace(':', ';')}`, lineIn(file, 'pool.map(balanceOf')],
        ],
      );
      assert.equal(lost[1].related[0]?.site?.line, lineIn(file, 'threads.apply(open'));
      const tasks = run.spans.filter((s) => s.kind === 'task');
      assert.deepEqual(
        lost.map((f) => f.spans.map((i) => tasks.find((t) => t.index === i)?.name)),
        [['balanceOf'], ['open'], ['balanceOf']],
      );
      assert.ok(!run.findings.some((f) => f.rule === 'class-lost' && f.spans.some((i) => tasks.find((t) => t.index === i)?.name === 'plainSum')), 'a plain object was reported');
    });

    it('a bad chunksize is shown as itself, not [object Object]', () => {
      const file = fault('bad-chunksize.ts');
      const r = cli(['run', file]);
      assertCliEnds(r, 1);
      assert.match(r.stdout, new RegExp(`^${file}:${lineIn(file, 'pool.map(square')}:\\d+: ValueError: Chunksize must be 1\\+, not \\{ chunksize: 'two' \\}$`, 'm'));
    });

    it('a 100 MB result arrives whole', async () => {
      const run = await counted(fault('big-result.ts'));
      assert.equal(run.outcome, 'returned', run.error?.message);
      assert.deepEqual(
        run.lines.map((l) => l.text),
        [`got ${100 * 1024 * 1024} characters`],
      );
    });
  });

  describe('code that never ends, or ends the thread', () => {
    it("an endless loop in main: Stop ends it, main drawn running, the stop names the loop's line and main", async () => {
      const file = fault('main-spins.ts');
      const run = await counted(file, { stopWhen: (s) => printed('spinning')(s) && mainRunning(s) });
      assert.equal(run.outcome, 'stopped');
      const loop = `${file}:${lineIn(file, 'for (;;)')}:\\d+`;
      assert.match(run.error!.message, new RegExp(`Main was running its own code without a pause at ${loop} \\(main at ${file}:${lineIn(file, 'function main')}:\\d+\\)`));
      assert.match(`${run.error!.site?.file}:${run.error!.site?.line}:${run.error!.site?.col}`, new RegExp(`^${loop}$`), 'the stop is placed at the loop');
      const runs = run.spans.filter((s) => s.kind === 'run');
      assert.ok(runs.length > 0 && runs.every((s) => run.laneOf(s) === 'Main'));
      assert.ok(
        run.lines.some((l) => l.text === 'spinning'),
        'the line printed before the loop is kept',
      );
    });

    it("an endless loop in main under --timeout: exit 1, naming the loop's line, with main busy in the summary", () => {
      const file = fault('main-spins.ts');
      const r = cli(['run', file, '--timeout', '3000']);
      assertCliEnds(r, 1);
      assert.match(
        r.stdout,
        new RegExp(
          `^${file}:${lineIn(file, 'for (;;)')}:\\d+: the run took longer than 3000 ms: Main was running its own code without a pause at ${file}:${lineIn(file, 'for (;;)')}:\\d+ \\(main at `,
          'm',
        ),
      );
      const busy = /^Main\s+([\d.]+)%/m.exec(r.stdout);
      assert.ok(busy && Number(busy[1]) > 0, `Main is not shown busy:\n${r.stdout}`);
    });

    it('an endless loop in a task: Stop names the task and its line; the tasks before it are kept', async () => {
      const file = fault('task-spins.ts');
      // The worker may print before main's wait has reached the host: Stop once both are there.
      const run = await counted(file, { stopWhen: (s) => printed('spinning')(s) && waiting(s) });
      assert.equal(run.outcome, 'stopped');
      const line = lineIn(file, 'await pool.apply(spin)');
      assert.match(
        run.error!.message,
        new RegExp(`main was waiting in get\\(\\) at ${file}:${line}:\\d+; Worker \\d was running task spin\\(\\) submitted at ${file}:${line}:\\d+`),
      );
      assert.equal(run.spans.filter((s) => s.kind === 'task' && s.name === 'quick' && s.status === 'ok').length, 2);
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['[ 1, 2 ]', 'spinning'],
      );
    });

    it('an endless loop in a callback: Stop names the callback', async () => {
      const file = fault('callback-spins.ts');
      const run = await counted(file, { stopWhen: printed('spinning') });
      assert.equal(run.outcome, 'stopped');
      assert.match(run.error!.message, new RegExp(`Callback was running callback \`forever\` at ${file}:${lineIn(file, 'function forever')}:\\d+`));
    });

    it('main awaiting what never settles: a deadlock at main, by itself', async () => {
      const file = fault('never-settles.ts');
      const run = await counted(file);
      assert.equal(run.outcome, 'deadlock');
      assert.equal(run.error?.site?.file, file);
      assert.equal(run.error?.site?.line, lineIn(file, 'export async function main'));
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['waiting for nothing'],
      );
    });

    it('process.exit() in main: the line that called it, and what ran before', async () => {
      const file = fault('exits-in-main.ts');
      const run = await counted(file);
      assert.equal(run.outcome, 'crashed');
      assert.equal(run.error?.message, 'main called process.exit(3)');
      assert.equal(run.error?.site?.line, lineIn(file, '  process.exit(3);'));
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['1'],
      );
      assert.equal(run.spans.filter((s) => s.kind === 'task' && s.status === 'ok').length, 1);
    });

    it('process.exit() in a task: the run ends by itself as a deadlock at the wait, naming the death', async () => {
      const file = fault('exits-in-task.ts');
      const run = await counted(file);
      assert.equal(run.outcome, 'deadlock');
      assert.match(run.error!.message, /process\.exit\(3\)/);
      assert.equal(run.error?.site?.line, lineIn(file, 'await new ThreadPool'));
    });

    it('a task that leaves a setInterval (process Pool) or a Worker (ThreadPool) running: join() returns, handle-leaked names where each was made and the line that submitted it', async () => {
      const file = fault('leaves-handles.ts');
      const made = [lineIn(file, 'setInterval(() => undefined'), lineIn(file, 'new Worker(')];
      const submitted = [lineIn(file, 'await pool.apply(leaveInterval)'), lineIn(file, 'await threads.apply(leaveThread)')];
      const r = cli(['run', file]);
      assertCliEnds(r, 0);
      const shown = r.stdout.split('\n').filter((l) => l.endsWith('[handle-leaked]'));
      assert.deepEqual(
        shown.map((l) => l.slice(0, l.indexOf(': '))),
        made.map((line) => `${file}:${line}:3`),
        r.stdout,
      );
      assert.match(shown[0], /task `leaveInterval` left a setInterval timer running in Worker 1 after it returned/);
      assert.match(shown[1], /task `leaveThread` left a Worker thread running in Worker 2 after it returned/);
      const run = await counted(file);
      assert.equal(run.outcome, 'returned', run.error?.message);
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['1', '2', 'joined'],
      );
      const leaked = run.findings.filter((f) => f.rule === 'handle-leaked');
      assert.deepEqual(
        leaked.map((f) => [f.site?.line, f.related.find((x) => x.message.endsWith('submitted the task'))?.site?.line]),
        made.map((line, k) => [line, submitted[k]]),
      );
      const tasks = run.spans.filter((s) => s.kind === 'task');
      assert.deepEqual(
        leaked.map((f) => f.spans),
        tasks.map((t) => [t.index]),
      );
    });

    it("an unhandled rejection in a task that returned its result (ThreadPool, then Pool): the result arrives, unhandled-rejection at the line, marks on the tasks' lanes", async () => {
      const file = fault('rejects-after-return.ts');
      const line = lineIn(file, "Promise.reject(new Error('lost'));");
      const r = cli(['run', file]);
      assertCliEnds(r, 0);
      assert.match(
        r.stdout,
        new RegExp(`^${file}:${line}:\\d+: warning: 2 promise rejections in tasks of \`rejectAndReturn\` went unhandled \\(first: Error: lost\\).*\\[unhandled-rejection\\]$`, 'm'),
      );
      const run = await counted(file);
      assert.equal(run.outcome, 'returned', run.error?.message);
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['1', '1', 'joined'],
      );
      const tasks = run.spans.filter((s) => s.kind === 'task');
      assert.deepEqual(
        tasks.map((t) => t.status),
        ['ok', 'ok'],
      );
      const [finding, ...more] = run.findings.filter((f) => f.rule === 'unhandled-rejection');
      assert.equal(more.length, 0);
      assert.equal(finding.site?.line, line);
      assert.deepEqual(finding.related[0], {
        message: 'the apply() call that submitted 2 of them',
        site: { file, line: lineIn(file, 'await pool.apply(rejectAndReturn)'), col: finding.related[0].site!.col },
      });
      assert.deepEqual(
        finding.spans,
        tasks.map((t) => t.index),
      );
      assert.deepEqual(
        run.store.marks.filter((m) => m.kind === 'unhandled').map((m) => [m.task, m.lane]),
        tasks.map((t) => [t.taskId, t.lane]),
        'the rejections are not marked on the lanes of their tasks',
      );
    });

    for (const kind of ['ThreadPool', 'Pool'] as const)
      it(`a task out of memory under resourceLimits (${kind}): its worker dies, worker-crashed says it ran out of memory, the task is lost on its lane, the wait a deadlock; the run ends by itself`, async () => {
        const file = fault('out-of-memory.ts');
        const env = { ...process.env, POOLSCOPE_POOL: kind };
        const why =
          kind === 'ThreadPool'
            ? /ran out of memory \(ERR_WORKER_OUT_OF_MEMORY: Worker terminated due to reaching memory limit: JS heap out of memory\)/
            : /ran out of memory \(FATAL ERROR: .*heap out of memory\)/;
        const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), 'run', file], { cwd: ROOT, encoding: 'utf8', env, timeout: 240_000 });
        assertCliEnds(r, 1, new RegExp(`^${file}:${lineIn(file, '// the wait')}:\\d+: deadlock: `, 'm'));
        // The run ends with the Pool's replacement child alive: it is killed, and reaped, with the run.
        const run = await counted(file, { env });
        assert.equal(run.outcome, 'deadlock', run.error?.message);
        assert.equal(run.error?.site?.line, lineIn(file, '// the wait'));
        const [task, ...others] = run.spans.filter((s) => s.kind === 'task');
        assert.equal(others.length, 0);
        assert.equal(task.status, 'lost');
        const [died] = run.store.marks.filter((m) => m.kind === 'worker-died');
        assert.equal(died?.lane, task.lane, 'the death is not on the lane of the task');
        assert.match(died.text ?? '', why);
        const [crashed] = run.findings.filter((f) => f.rule === 'worker-crashed');
        assert.match(crashed?.message ?? '', why);
        assert.ok(crashed.spans.includes(task.index), 'worker-crashed does not name the lost task');
      });

    it('a timer that throws after its task returned: the run ends by itself, naming the error, the first result kept', async () => {
      const file = fault('throwing-timer.ts');
      const run = await counted(file);
      assert.equal(run.outcome, 'deadlock');
      assert.match(run.error!.message, /timer threw/);
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['1'],
      );
    });

    it('a stack overflow in a task and in main: RangeError with its line', async () => {
      const file = fault('stack-overflow.ts');
      const run = await counted(file);
      assert.equal(run.outcome, 'threw');
      assert.deepEqual(
        run.lines.map((l) => l.text),
        ['task: RangeError: Maximum call stack size exceeded'],
      );
      assert.match(run.error!.message, /RangeError: Maximum call stack size exceeded/);
      assert.equal(run.error?.site?.line, lineIn(file, 'return down(n + 1) + 1'));
    });

    it('main that throws right after asking for 256 threads ends with its error, and takes them all with it', async () => {
      const file = fault('big-pool-throws.ts');
      const run = await counted(file);
      assert.equal(run.outcome, 'threw');
      assert.equal(run.error?.site?.line, lineIn(file, "throw new Error('right after the pool')"));
    });

    it('a million printed lines: every one, in order, none dropped', async () => {
      const { startRun } = await host();
      let n = 0;
      let inOrder = true;
      const handle = startRun(fault('million-lines.ts'), {
        workers: 1,
        onLog: (line) => {
          if (line.text !== `line ${n}`) inOrder = false;
          n++;
        },
      });
      const r = await handle.done;
      assert.equal(r.outcome, 'returned');
      assert.equal(n, 1_000_000);
      assert.ok(inOrder, 'the lines were handed on out of order');
      assert.equal(r.store.logs.length, 1_000_000);
    });
  });

  describe('signals to the CLI', () => {
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      it(`${signal}: stops the run, prints the summary and where it was, writes the trace, exits ${code}`, async () => {
        const file = fault('task-spins.ts');
        const trace = join(scratch, `${signal}.json`);
        const child = spawn(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), 'run', file, '--trace', trace], { cwd: ROOT });
        let stdout = '';
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
        // The gate: the spinning task has printed, so the run is inside the loop.
        await new Promise<void>((r) =>
          child.stdout.on('data', (d) => {
            stdout += d;
            if (stdout.includes('│ spinning')) r();
          }),
        );
        child.kill(signal);
        assert.equal(await exited, code, stdout + stderr);
        assert.match(stderr, new RegExp(`poolscope: ${signal}: stopping the run`));
        assert.match(stdout, /── poolscope: stopped after [\d.]+ ms · 3 tasks issued, 0 failed ──/);
        // Main's wait reaches the host on its own channel and may still be on its way when the
        // signal comes: the run's test above asserts the two together.
        assert.match(stdout, new RegExp(`stopped: (main was waiting in get\\(\\) at .*; )?Worker \\d was running task spin\\(\\)`));
        const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents as { cat?: string; name?: string; args?: { status?: string } }[];
        assert.equal(events.filter((e) => e.cat === 'task' && e.name === 'quick' && e.args?.status === 'ok').length, 2);
        assert.equal(events.filter((e) => e.cat === 'task' && e.name === 'spin' && e.args?.status === 'running').length, 1);
      });
    }

    it('SIGKILL: no process of the run survives the CLI', async () => {
      const mark = `poolscope-test-${process.pid}-${Date.now()}`;
      const child = spawn(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), 'run', fault('task-spins.ts')], { cwd: ROOT, env: { ...process.env, POOLSCOPE_TEST_MARK: mark } });
      await new Promise<void>((r) => child.stdout.on('data', (d) => String(d).includes('│ spinning') && r()));
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      // Whatever inherited the mark is of this run; the compiler's service ends when its pipe closes.
      const survivors = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p) && marked(p, mark));
      for (let i = 0; i < 200 && survivors().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(survivors(), []);
      // A killed CLI cannot remove its scratch folder (the compiled bundle); the next run does.
      const left = readdirSync(tmpdir()).filter((n) => n.startsWith(`poolscope-js-${child.pid}-`));
      assert.equal(left.length, 1, 'the killed run left its scratch folder behind');
      const next = cli(['run', fault('prints.ts')]);
      assert.equal(next.status, 0, next.stderr);
      assert.equal(existsSync(join(tmpdir(), left[0])), false, "the next run removed the dead run's folder");
    });
  });
});

function marked(pid: string, mark: string): boolean {
  try {
    return existsSync(`/proc/${pid}/environ`) && readFileSync(`/proc/${pid}/environ`, 'utf8').includes(mark);
  } catch {
    return false;
  }
}
