// Every thread and child process stamps its records on one clock: on the timeline, cause comes
// before effect.
import assert from 'node:assert/strict';
import { runFile, runFixture, EXAMPLES, type Run } from './helpers';
import { resolve } from 'node:path';

function violations(run: Run): string[] {
  const out: string[] = [];
  const jobs = run.store.jobs;
  for (const task of run.spans.filter((s) => s.kind === 'task')) {
    const job = jobs.get(task.job);
    if (task.queued !== undefined && task.start < task.queued) out.push(`task ${task.taskId} started before it was submitted`);
    if (job?.resultIn !== undefined && task.end > job.resultIn && job.tasks.length === 1) out.push(`task ${task.taskId} ended after main took its result in`);
    for (const cb of run.spans.filter((s) => s.kind === 'callback' && s.job === task.job)) {
      if (task.end > cb.start) out.push(`task ${task.taskId} (${run.laneOf(task)}) ended ${((task.end - cb.start) / 1000).toFixed(3)} ms after its callback started`);
    }
  }
  return out;
}

describe('one clock for all threads', function () {
  it('no task ends after its callback starts or its result is taken in, over repeated runs', async () => {
    const found: string[] = [];
    for (let i = 0; i < 6; i++) found.push(...violations(await runFile(resolve(EXAMPLES, 'map-callbacks.ts'))));
    assert.deepEqual(found, []);
  });

  it('child processes: for each of 1,000 tasks per process kind, submit < start < end < result in', async () => {
    const run = await runFixture('clock-processes.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const kinds = new Map([...run.store.pools.values()].map((p) => [p.id, p.kind]));
    const counted = new Map<string, number>();
    const wrong: string[] = [];
    for (const task of run.spans.filter((s) => s.kind === 'task')) {
      const job = run.store.jobs.get(task.job)!;
      const kind = kinds.get(job.pool)!;
      counted.set(kind, (counted.get(kind) ?? 0) + 1);
      const [submit, start, end, resultIn] = [job.submitted, task.start, task.end, job.resultIn ?? NaN];
      if (!(submit < start && start < end && end < resultIn)) wrong.push(`${kind} task ${task.taskId}: submit ${submit}, start ${start}, end ${end}, result in ${resultIn} µs`);
    }
    assert.deepEqual(Object.fromEntries(counted), { Pool: 1000, ProcessPoolExecutor: 1000 });
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} tasks out of order`);
  });
});
