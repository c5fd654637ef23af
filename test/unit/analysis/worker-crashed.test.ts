import assert from 'node:assert/strict';
import { RecordStream, MAIN, at } from '../recordStream';
import { CRASH, EXIT, KILLED, W1, W2, poolInitializerRespawn, poolWorkerKilled, processExecutorCrash, threadWorkerExit, unhandledRejections } from '../workerScenarios';
import { blockingCallback } from '../scenarios';
import { findings, spanIndices } from './findings';

const lost = (run: { store: Parameters<typeof spanIndices>[0]['store'] }) => spanIndices(run, (s) => s.status === 'lost');

describe('worker-crashed', () => {
  it('names the process that exited, the task it ran, and that the ProcessPoolExecutor broke; pool-broken leaves it to this rule', () => {
    const run = processExecutorCrash();
    const [f, ...more] = findings(run, 'worker-crashed');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      'Worker 2 (pid 4102) of the ProcessPoolExecutor exited with code 3 while running `bye`; the ProcessPoolExecutor broke: every pending and running future failed with BrokenProcessPool and later submit() calls throw',
    );
    assert.deepEqual(f.site, CRASH.bye);
    assert.deepEqual(f.related, [
      { message: 'the submit() call that submitted `bye`', site: CRASH.submitBye },
      { message: 'the ProcessPoolExecutor was created here', site: CRASH.created },
    ]);
    assert.deepEqual(f.spans, lost(run));
    assert.deepEqual(findings(run, 'pool-broken'), [], 'one cause, one finding');
    assert.deepEqual(findings(run, 'error-unretrieved'), [], 'the futures the breakage failed are its consequence, not unseen errors');
  });

  it('names the signal that killed a Pool worker, the lost task and the replacement process', () => {
    const run = poolWorkerKilled();
    const [f] = findings(run, 'worker-crashed');
    assert.equal(
      f.message,
      'Worker 1 (pid 5001) of the Pool was killed by SIGKILL while running `crunch`; the task is lost: its result never arrives, so a wait on it without a timeout waits for ever; the Pool started a replacement (pid 5003)',
    );
    assert.deepEqual(f.site, KILLED.crunch);
    assert.deepEqual(f.related[0], { message: 'the apply() call that submitted `crunch`', site: KILLED.apply });
    assert.deepEqual(f.spans, lost(run));
  });

  it('tells of a worker thread that called process.exit() without a pid, with what the reason adds', () => {
    const [f] = findings(threadWorkerExit(), 'worker-crashed');
    assert.equal(
      f.message,
      'Worker 1 of the ThreadPool exited with code 3 while running `bye`: process.exit(3) in the task; the task is lost: its result never arrives, so a wait on it without a timeout waits for ever; the ThreadPool started a replacement',
    );
    assert.deepEqual(f.site, EXIT.bye);
    assert.deepEqual(f.related[0], { message: 'the apply() call that submitted `bye`', site: EXIT.apply });
  });

  it('makes one finding of the deaths of workers running tasks submitted from one line', () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
    s.pool(0, 'Pool', { ms: 0, size: 2, site: at(4) });
    s.workerStart(W1, 0.1, 100).workerStart(W2, 0.1, 200);
    for (let k = 0; k < 3; k++) {
      const lane = k % 2 ? W2 : W1;
      const { task } = s.submit(0, { ms: 1, api: 'applyAsync', site: at(8, 5), fn: 'bye', fnSite: at(2, 17) });
      s.start(lane, task, 2 + k * 10);
      s.workerDied(lane, 5 + k * 10, { code: 1, task, why: 'Error: boom' });
      s.workerStart(lane, 6 + k * 10, 300 + k, true);
    }
    const run = { store: s.build({ endMs: 40 }) };
    const [f, ...more] = findings(run, 'worker-crashed');
    assert.equal(more.length, 0);
    assert.equal(
      f.message,
      '3 workers of the Pool died while running `bye` (first: Worker 1 (pid 100) exited with code 1: Error: boom); 3 tasks lost: their results never arrive, so a wait on them without a timeout waits for ever; the Pool replaced each of them',
    );
    assert.equal(f.spans.length, 3);
  });

  it('places a death between tasks at the line of the uncaught error that ended it', () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0);
    s.pool(0, 'ThreadPool', { ms: 0, size: 1, site: at(4) });
    s.workerStart(W1, 0.1, 7000);
    const { task } = s.submit(0, { ms: 1, api: 'applyAsync', site: at(9), fn: 'arm' });
    s.start(W1, task, 1).end(W1, task, 2, 'ok');
    s.workerDied(W1, 50, { code: 1, why: 'Error: late\n    at Timeout._onTimeout (/home/dev/demo/tasks.ts:8:11)\n    at listOnTimeout (node:internal/timers:581:17)' });
    const [f] = findings({ store: s.build({ endMs: 60 }) }, 'worker-crashed');
    assert.equal(f.message, 'Worker 1 of the ThreadPool exited with code 1 between tasks: Error: late');
    assert.deepEqual(f.site, at(8, 11));
    assert.deepEqual(f.spans, []);
  });

  it('says what a ThreadPool whose only thread died after its task returned means for join(): it returns while nothing is pending, and never returns once a later task is', () => {
    const onlyThreadDies = (later: boolean) => {
      const s = new RecordStream();
      s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0);
      s.pool(0, 'ThreadPool', { ms: 0, size: 1, site: at(4) });
      s.workerStart(W1, 0.1, 7000);
      const { job, task } = s.submit(0, { ms: 1, api: 'apply', site: at(9), fn: 'arm', fnSite: at(2, 17) });
      s.start(W1, task, 1).end(W1, task, 2, 'ok', '1', MAIN);
      s.ready(job, 2);
      s.workerDied(W1, 50, { code: 1, why: 'Error: late\n    at Timeout._onTimeout (/home/dev/demo/tasks.ts:8:11)' });
      s.poolAction(0, 'broken', 50, { text: 'Error: late' });
      if (later) s.submit(0, { ms: 60, api: 'applyAsync', site: at(11), fn: 'arm', fnSite: at(2, 17) });
      const [f, ...more] = findings({ store: s.build({ endMs: 70 }) }, 'worker-crashed');
      assert.equal(more.length, 0);
      return f.message;
    };
    assert.equal(
      onlyThreadDies(false),
      'Worker 1 of the ThreadPool exited with code 1 between tasks: Error: late; the ThreadPool broke: no task runs on it from then on and no callback fires for those; none was pending, so close()+join() returns',
    );
    assert.equal(
      onlyThreadDies(true),
      'Worker 1 of the ThreadPool exited with code 1 between tasks: Error: late; the ThreadPool broke: no task runs on it from then on and no callback fires for those, so close()+join() never returns',
    );
  });

  it('reports a task recorded lost even when no death of its worker was recorded', () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0);
    s.pool(0, 'ProcessPoolExecutor', { ms: 0, size: 1, site: at(4) });
    s.workerStart(W1, 0.1, 900);
    const { task } = s.submit(0, { ms: 1, api: 'submit', site: at(7, 3), fn: 'f', fnSite: at(2, 17) });
    s.start(W1, task, 2).end(W1, task, 9, 'lost', 'ran out of memory', MAIN);
    const run = { store: s.build({ endMs: 10 }) };
    const [f] = findings(run, 'worker-crashed');
    assert.equal(
      f.message,
      'Worker 1 (pid 900) of the ProcessPoolExecutor died while running `f`: ran out of memory; the task is lost: its result never arrives, so a wait on it without a timeout waits for ever',
    );
    assert.deepEqual(f.spans, lost(run));
  });

  it('tells nothing of a task lost because its pool ended the worker (terminate(), an executor that broke): no worker crashed', () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
    s.pool(0, 'Pool', { ms: 0, size: 2, site: at(4) });
    s.workerStart(W1, 0.1, 900).workerStart(W2, 0.1, 901);
    const first = s.submit(0, { ms: 1, api: 'applyAsync', site: at(7, 3), fn: 'serve', fnSite: at(2, 17) });
    const second = s.submit(0, { ms: 1, api: 'applyAsync', site: at(8, 3), fn: 'serve', fnSite: at(2, 17) });
    s.start(W1, first.task, 2).start(W2, second.task, 2);
    s.poolAction(0, 'terminate', 5);
    s.end(W1, first.task, 6, 'lost', 'the pool was terminated while it ran', MAIN).workerExit(W1, 6);
    // The other one died by itself first: that is a crash.
    s.workerDied(W2, 4, { code: 1, task: second.task, why: 'called process.exit(1)' });
    const run = { store: s.build({ endMs: 10 }) };
    assert.deepEqual(lost(run).length, 2);
    const [f, ...more] = findings(run, 'worker-crashed');
    assert.equal(more.length, 0);
    assert.match(f.message, /^Worker 2 \(pid 901\) of the Pool exited with code 1 while running `serve`/);
  });

  it('leaves workers that died of their initializer to initializer-respawn, and stays quiet without deaths', () => {
    assert.deepEqual(findings(poolInitializerRespawn(), 'worker-crashed'), []);
    assert.deepEqual(findings(unhandledRejections(), 'worker-crashed'), []);
    assert.deepEqual(findings(blockingCallback(), 'worker-crashed'), []);
  });
});
