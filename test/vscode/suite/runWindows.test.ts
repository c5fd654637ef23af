// A run past poolscope.keepSpans, from the editor: the run keeps its journal outside the
// project, the inspector loads any later window of the run from it (the host's event loop
// measured meanwhile), "Open Trace…" opens the journal, and the next run deletes it.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { indexJournal } from '../../../src/runtime/journal/journalIndex';
import { replayJournal } from '../../../src/runtime/journal/replay';
import type { TraceStore } from '../../../src/trace/store';
import { REPO, example, measured, poolscope, resetSettings, runInPool, setting, waitFor } from './helpers';

interface InspectorStats {
  spansReceived: number;
  lanes: number;
}
interface LoadedWindow {
  spans: number;
  tasksInWindow: number;
  notKept: number;
}
const TASKS = 200_000;

describe('windows of a run past poolscope.keepSpans', function () {
  before(async () => {
    await resetSettings();
    await setting('openInspectorOnRun', true);
    await setting('keepSpans', 1000);
  });
  after(async () => {
    await resetSettings();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the inspector loads a later window of the run from its journal, "Open Trace…" opens the journal, and the next run deletes it', async () => {
    const api = await poolscope();
    // The program reads how many tasks to issue from its environment, which a run from the editor inherits.
    process.env.TASKS = String(TASKS);
    let summary;
    try {
      summary = await runInPool(vscode.Uri.file(join(REPO, 'test', 'runtime', 'fixtures', 'journal', 'many-tasks.ts')));
    } finally {
      delete process.env.TASKS;
    }
    assert.equal(summary?.outcome, 'returned');
    assert.ok(summary.notKept && summary.notKept.tasks > TASKS / 2, 'the run kept only part of its tasks');
    const run = api.state.current!;
    const journal = run.journal!;
    assert.ok(journal && existsSync(journal), `the run kept its journal (${journal})`);
    assert.ok(relative(REPO, journal).startsWith('..'), `the journal ${journal} is outside the project`);

    // A window in a stretch of the run where the workers ran many tasks, three quarters into it,
    // as the journal's index says (the whole run replayed here would leave the garbage of a
    // 200k-task store to collect while the loop is measured).
    const { frames, head } = indexJournal(journal);
    const busy = frames.filter((f) => f.ends > 100);
    const stretch = busy[Math.floor(busy.length * 0.75)];
    const from = stretch.runTMin - head.origin;
    // About fifty of its tasks' time: well within the budget of 1000 spans, however the host's reads framed them.
    const to = from + ((stretch.runTMax - stretch.runTMin) * 50) / stretch.ends;
    const inWindow = (store: TraceStore) => {
      let n = 0;
      for (let i = 0; i < store.spanCount; i++) if (store.kind(i) === 'task' && store.col.start[i] <= to && store.col.end[i] >= from) n++;
      return n;
    };
    assert.equal(inWindow(run.store), 0, 'the tasks kept at the run end are not those of the window');

    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const t0 = performance.now();
    const loaded = await vscode.commands.executeCommand<LoadedWindow>('poolscope.inspectorLoadWindow', from / 1000, to / 1000);
    const ms = performance.now() - t0;
    h.disable();
    measured(
      `window of ${TASKS.toLocaleString('en-US')} tasks loaded in ${ms.toFixed(0)} ms (index built, then the window); event-loop delay p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms`,
    );
    const shown = api.state.current!;
    const ran = inWindow(replayJournal(journal).store);
    assert.ok(ran >= 10 && loaded.tasksInWindow >= 10, `${ran} tasks ran in the window, ${loaded.tasksInWindow} shown: a window of some fifty tasks' time holds more than a few`);
    assert.equal(inWindow(shown.store), ran, 'every task that ran in the window is shown');
    assert.equal(shown.whole, run, 'the window remembers the run it is of');
    assert.ok(shown.store.notKept.window, 'the store says which window it holds');
    await waitFor(
      'the inspector to hold the window',
      async () => (await vscode.commands.executeCommand<InspectorStats | undefined>('poolscope.inspectorStats'))?.spansReceived === shown.store.spanCount,
      15_000,
    );

    await vscode.commands.executeCommand('poolscope.openTrace', vscode.Uri.file(journal));
    const opened = api.state.current!;
    assert.equal(opened.journal, journal, 'an opened journal loads windows too');
    assert.equal(opened.store.notKept.tasks, run.store.notKept.tasks, 'the opened journal keeps as many tasks as the run did');

    assert.equal((await runInPool(example('map-callbacks.ts')))?.outcome, 'returned');
    assert.ok(!existsSync(journal), 'the next run deleted the journal');
    assert.equal(api.state.current?.journal, undefined, 'a run that kept every task keeps no journal');
  });
});
