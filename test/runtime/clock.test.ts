// Every thread stamps its records on one clock: on the timeline, cause comes before effect.
import assert from 'node:assert/strict';
import { runFile, EXAMPLES, type Run } from './helpers';
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
});
