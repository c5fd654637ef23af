// A window of a real recorded run, replayed from its journal: the editor's run keeps its journal
// (the option the extension passes), and a replay of a window through the journal's index reads
// only the frames it needs yet shows the same tasks, and the same per-lane counts of the others,
// as a replay that reads every record.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { framesToRead, indexJournal, runSteps, tasksInWindow } from '../../src/runtime/journal/journalIndex';
import { replayJournal, windowSteps } from '../../src/runtime/journal/replay';
import type { TraceStore } from '../../src/trace/store';
import { EXAMPLES, FIXTURES, HANG_MS, host } from './helpers';

const TASKS = 3000;

/** The task spans of a store: id, lane, start and end. */
function tasksOf(store: TraceStore) {
  const out: { id: number; lane: number; start: number; end: number }[] = [];
  for (let i = 0; i < store.spanCount; i++) {
    const s = store.span(i);
    if (s.kind === 'task') out.push({ id: s.taskId!, lane: s.lane, start: s.start, end: s.end });
  }
  return out.sort((a, b) => a.id - b.id);
}

describe('a window of a recorded run, from its journal', function () {
  let dir: string;
  let journal: string;
  /** the run replayed whole: every task, as the ground truth */
  let whole: ReturnType<typeof tasksOf>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poolscope-window-'));
    journal = join(dir, 'run.psrec');
    const { startRun } = await host();
    const result = await startRun(resolve(FIXTURES, 'journal/many-tasks.ts'), {
      workers: 2,
      timeoutMs: HANG_MS,
      maxSpans: 100,
      journal,
      env: { ...process.env, TASKS: String(TASKS) },
    }).done;
    assert.equal(result.outcome, 'returned', result.error?.message);
    assert.ok(result.store.notKept.tasks > TASKS / 2, 'the run kept only part of its tasks');
    whole = tasksOf(replayJournal(journal).store);
    assert.equal(whole.length, TASKS, 'the journal holds every task');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the index names every task, and a window from it holds every task that ran in it', () => {
    const index = indexJournal(journal);
    assert.equal(index.tasks, TASKS);
    assert.equal(index.end?.outcome, 'returned');
    // Windows around tasks 1,000 to 1,100, 2,000 to 2,020, and the last 50.
    for (const [a, b] of [
      [1000, 1100],
      [2000, 2020],
      [TASKS - 50, TASKS],
    ]) {
      const from = whole[a - 1].start;
      const to = whole[b - 1].start;
      const { ran: count, ...tasks } = tasksInWindow(index, from, to);
      const ran = whole.filter((t) => t.start <= to && t.end >= from).map((t) => t.id);
      assert.deepEqual([...tasks.only], ran, `window ${a}–${b}: the index names the tasks that ran in it`);
      assert.equal(count, ran.length);

      const keep = { maxSpans: 2 * TASKS, ...tasks };
      const indexed = replayJournal(journal, keep, 'outside', index);
      const read = replayJournal(journal, keep, 'outside');
      assert.deepEqual(tasksOf(indexed.store), tasksOf(read.store), `window ${a}–${b}: the same tasks kept`);
      assert.deepEqual(
        tasksOf(indexed.store)
          .filter((t) => ran.includes(t.id))
          .map((t) => t.id),
        ran,
        'every task that ran in the window is kept',
      );
      // The tasks outside: counted from the index where their frames were not read, per lane as when read.
      const counts = (s: TraceStore) => [s.notKept.tasks, s.notKept.failed, [...s.notKept.spans].map((n) => n ?? 0)];
      assert.deepEqual(counts(indexed.store), counts(read.store), `window ${a}–${b}: the same tasks counted outside it`);
      assert.equal(indexed.store.end, read.store.end);
      // How many frames a window can skip depends on how the host's reads split the run into
      // frames (a loaded machine reads more at a time): a frame the index leaves out is not decoded.
      const needed = framesToRead(index, keep);
      const skipped = index.frames.filter((f) => !needed(f) && f.bytes > 0).length;
      if (skipped > 0)
        assert.ok(indexed.records < read.records, `window ${a}–${b}: ${skipped} frames skipped, yet ${indexed.records} records decoded with the index, ${read.records} without`);
      else assert.equal(indexed.records, read.records);
    }
  });

  it('past a span budget, the index counts the tasks the store does not keep as reading them would, and says why', () => {
    const index = indexJournal(journal);
    const keep = { maxSpans: 500, taskFrom: 1, taskTo: Infinity };
    const indexed = replayJournal(journal, keep, undefined, index);
    const read = replayJournal(journal, keep);
    assert.deepEqual(tasksOf(indexed.store), tasksOf(read.store));
    const told = ({ notKept: n }: TraceStore) => [n.tasks, n.firstTask, n.firstTs, n.failed, n.byBudget, n.reason, [...n.spans].map((x) => x ?? 0)];
    assert.deepEqual(told(indexed.store), told(read.store));
    assert.equal(indexed.store.notKept.reason, 'past the first 500 spans kept in memory');
    assert.ok(indexed.records < read.records, `${indexed.records} records decoded with the index, ${read.records} without`);
  });

  it('a window holding more tasks than the budget keeps the first ones, and says so', () => {
    const index = indexJournal(journal);
    const from = whole[499].start;
    const to = whole[1999].start;
    const { store } = runSteps(windowSteps(index, from, to, 100));
    const kept = tasksOf(store);
    assert.ok(kept.length > 0 && kept.length <= 100, `${kept.length} tasks kept`);
    assert.deepEqual(store.notKept.window, { from, to, complete: false, runTasks: TASKS });
    assert.equal(kept.length + store.notKept.tasks, TASKS, 'every task is kept or counted');
    const small = runSteps(windowSteps(index, whole[999].start, whole[1009].start, 2 * TASKS)).store;
    assert.equal(small.notKept.window?.complete, true);
  });

  it('a Python run keeps its journal too', async function () {
    const { startPythonRun } = await host();
    const path = join(dir, 'python.psrec');
    const result = await startPythonRun(resolve(EXAMPLES, 'python/pool_callbacks.py'), { timeoutMs: HANG_MS, journal: path }).done;
    assert.equal(result.outcome, 'returned', result.error?.message);
    const replay = replayJournal(path);
    assert.equal(replay.store.meta.language, 'python');
    assert.deepEqual(tasksOf(replay.store), tasksOf(result.store));
  });
});
