// The summary `poolscope run` and `view` print for runs whose workers died: lost tasks counted,
// each process lane's pids in order with how they died, and the new findings as linkable lines.
import assert from 'node:assert/strict';
import { analyze } from '../../../src/analysis/index';
import { jsonReport, textReport } from '../../../src/cli/report';
import { MAIN, RecordStream, at } from '../recordStream';
import { W1, poolWorkerKilled, threadWorkerExit } from '../workerScenarios';

const report = (store: ReturnType<typeof poolWorkerKilled>['store']) => textReport(store, analyze(store), undefined).split('\n');

describe('CLI summary of worker deaths', () => {
  it("counts the lost task and lists each process lane's pids, the dead one with how it died", () => {
    const lines = report(poolWorkerKilled().store);
    assert.equal(lines[1], '── poolscope: deadlock after 2041.0 ms · 1 tasks issued, 0 failed, 1 lost with their worker ──');
    assert.deepEqual(lines.slice(2, 7), [
      'lane          busy    wait   spans  failed    lost  processes (pid)',
      'Main           0.0%  100.0%       1       0       0',
      'Callback       0.0%    0.0%       0       0       0',
      'Worker 1       1.9%    0.0%       1       0       1  5001 (killed by SIGKILL) → 5003',
      'Worker 2       0.0%    0.0%       0       0       0  5002',
    ]);
    assert.ok(
      lines.includes(
        '/home/dev/demo/tasks.ts:2:17: error: Worker 1 (pid 5001) of the Pool was killed by SIGKILL while running `crunch`; the task is lost: its result never arrives, so a wait on it without a timeout waits for ever; the Pool started a replacement (pid 5003) [worker-crashed]',
      ),
      lines.join('\n'),
    );
    assert.ok(lines.includes('    /home/dev/demo/tasks.ts:9:10: the apply() call that submitted `crunch`'));
  });

  it("shows no pid column for thread pools, whose workers share the run's pid", () => {
    const lines = report(threadWorkerExit().store);
    assert.equal(lines[2], 'lane          busy    wait   spans  failed    lost');
    assert.equal(lines[5], 'Worker 1       0.1%    0.0%       1       0       1');
  });

  it('shortens a long line of respawned processes to its ends', () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0);
    s.pool(0, 'Pool', { ms: 0, size: 1, site: at(3) });
    for (let k = 0; k < 7; k++) {
      s.workerStart(W1, k * 10, 100 + k, k > 0);
      if (k < 6) s.workerDied(W1, k * 10 + 5, { code: 1, why: 'Error: init' });
    }
    const lines = textReport(s.build({ endMs: 80 }), [], undefined).split('\n');
    assert.equal(lines.find((l) => l.startsWith('Worker 1'))?.replace(/^.*\d {2}/, ''), '100 (died, exit code 1) → 101 (died, exit code 1) → … 4 more → 106');
  });

  it('gives the same in --json: lost per lane and each process with how it died', () => {
    const json = JSON.parse(jsonReport(poolWorkerKilled().store, [], undefined));
    assert.deepEqual(
      json.stats.lanes.find((l: { lane: string }) => l.lane === 'Worker 1'),
      {
        lane: 'Worker 1',
        busyPct: 1.9,
        waitPct: 0,
        spans: 1,
        failed: 0,
        lost: 1,
        processes: [{ pid: 5001, died: 'killed by SIGKILL' }, { pid: 5003 }],
      },
    );
    assert.equal(json.stats.lanes.find((l: { lane: string }) => l.lane === 'Main').processes, undefined);
  });
});
