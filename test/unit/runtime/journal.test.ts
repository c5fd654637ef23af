// The run journal on its own: what a host wrote replays into the trace the host built, and a
// journal cut anywhere (a host killed mid-write) replays as the run up to its last whole frame.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSite } from '../../../src/trace/model';
import { JournalWriter } from '../../../src/runtime/journal/writer';
import { indexJournal, tasksInWindow } from '../../../src/runtime/journal/journalIndex';
import { replayJournal } from '../../../src/runtime/journal/replay';
import type { TraceStore } from '../../../src/trace/store';
import { CALLBACK, FILE, MAIN, RecordStream, at } from '../recordStream';
import { HostRec, MainRun } from '../../../src/trace/records';

const W1 = 2;
const W2 = 3;

/** Two workers each run three tasks; one fails; a callback runs for each on the Callback lane. */
function sixTasks(): RecordStream {
  const s = new RecordStream();
  s.lane(MAIN, 'main', 'Main').lane(CALLBACK, 'callback', 'Callback').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
  s.pool(0, 'ThreadPool', { ms: 0, size: 2, site: at(3) });
  for (let i = 0; i < 6; i++) {
    const { job, task } = s.submit(0, { ms: 1 + i, api: 'applyAsync', site: at(5), fn: 'work', args: `[${i}]` });
    const lane = i % 2 ? W2 : W1;
    s.start(lane, task, 10 + i * 4).end(lane, task, 12 + i * 4, i === 3 ? 'error' : 'ok', i === 3 ? 'Error: four' : String(i * i));
    s.cbRun(job, 'result', 'report', at(9), 13 + i * 4, 14 + i * 4);
  }
  return s;
}

function spans(store: TraceStore) {
  return Array.from({ length: store.spanCount }, (_, i) => store.span(i));
}

describe('run journal', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'poolscope-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(s: RecordStream, path: string, end: boolean): void {
    const w = new JournalWriter(path, { file: FILE, startedAt: '2026-11-21T05:00:00.000Z', origin: 0 });
    // A flush after each record: frames as small as a host that reads every few records writes.
    for (const { ring, r } of s.ordered()) {
      w.record(ring, r);
      w.flush();
    }
    if (end) w.end({ outcome: 'returned', endUs: 40_000 });
    else w.close();
  }

  it('replays into the trace the host built from the same records, with how the run ended', () => {
    const s = sixTasks();
    const path = join(dir, 'run.psrec');
    write(s, path, true);
    const replay = replayJournal(path);
    const built = s.build({ endMs: 40 });
    assert.deepEqual(spans(replay.store), spans(built));
    assert.deepEqual(replay.store.lanes, built.lanes);
    assert.equal(replay.store.meta.outcome, 'returned');
    assert.equal(replay.store.end, 40_000);
    assert.equal(replay.store.meta.file, FILE);
  });

  it("replays main's running time, which the host writes as records of its own: a stretch that paused, and one still running at the end", () => {
    const s = sixTasks();
    const HOST = 9;
    s.rec(HOST, HostRec.MAIN_RUN, MAIN, 1, { a: MainRun.began }, formatSite(at(2)))
      .rec(HOST, HostRec.MAIN_RUN, MAIN, 5, { a: MainRun.still })
      .rec(HOST, HostRec.MAIN_RUN, MAIN, 8, { a: MainRun.still })
      .rec(HOST, HostRec.MAIN_RUN, MAIN, 8, { a: MainRun.paused })
      .rec(HOST, HostRec.MAIN_RUN, MAIN, 20, { a: MainRun.began }, formatSite(at(2)))
      .rec(HOST, HostRec.MAIN_RUN, MAIN, 30, { a: MainRun.still });
    const path = join(dir, 'run.psrec');
    write(s, path, true);
    const replayed = spans(replayJournal(path).store);
    assert.deepEqual(replayed, spans(s.build({ endMs: 40 })));
    assert.deepEqual(
      replayed.filter((x) => x.kind === 'run').map((x) => [x.lane, x.start, x.end, x.status, x.site && formatSite(x.site)]),
      [
        [MAIN, 1000, 8000, 'ok', formatSite(at(2))],
        [MAIN, 20_000, 40_000, 'running', formatSite(at(2))],
      ],
    );
  });

  it('written in the background (as the editor writes it), holds the same records once closed', async () => {
    const s = sixTasks();
    const sync = join(dir, 'sync.psrec');
    write(s, sync, true);
    const background = join(dir, 'background.psrec');
    const w = new JournalWriter(background, { file: FILE, startedAt: '2026-11-21T05:00:00.000Z', origin: 0 }, true);
    for (const { ring, r } of s.ordered()) {
      w.record(ring, r);
      w.flush();
    }
    w.end({ outcome: 'returned', endUs: 40_000 });
    await w.closed;
    assert.equal(w.failed, undefined);
    // The same frames, record for record (the padding after a record's text is whatever the buffer held).
    const a = replayJournal(background),
      b = replayJournal(sync);
    assert.deepEqual(spans(a.store), spans(b.store));
    assert.deepEqual([a.records, a.end, a.store.lanes], [b.records, b.end, b.store.lanes]);
  });

  it('cut at any byte past its head, replays the whole frames before the cut and says the run had not ended', () => {
    const s = sixTasks();
    const path = join(dir, 'run.psrec');
    write(s, path, false);
    const whole = readFileSync(path);
    const full = spans(replayJournal(path).store).length;
    let seen = 0;
    const cut = join(dir, 'cut.psrec');
    const headEnd = 8 + 8 + whole.readInt32LE(12);
    writeFileSync(cut, whole.subarray(0, headEnd - 1));
    assert.throws(() => replayJournal(cut), /the journal ends before its head/);
    for (let n = headEnd; n <= whole.length; n += 4) {
      writeFileSync(cut, whole.subarray(0, n));
      const replay = replayJournal(cut);
      assert.equal(replay.end, undefined);
      assert.equal(replay.store.meta.outcome, 'stopped');
      const count = replay.store.spanCount;
      assert.ok(count >= seen, `a longer piece of the journal (${n} bytes) shows fewer spans (${count} < ${seen})`);
      seen = count;
    }
    assert.equal(seen, full);
  });

  it('past its span budget, keeps the first tasks whole and counts the others on their lanes, with their callbacks left out', () => {
    const path = join(dir, 'run.psrec');
    write(sixTasks(), path, true);
    const { store } = replayJournal(path, { maxSpans: 4, taskFrom: 1, taskTo: Infinity });
    const tasks = spans(store).filter((x) => x.kind === 'task');
    assert.deepEqual(
      tasks.map((x) => [x.taskId, x.status]),
      [
        [1, 'ok'],
        [2, 'ok'],
        [3, 'ok'],
        [4, 'error'],
      ],
    );
    assert.deepEqual(
      spans(store)
        .filter((x) => x.kind === 'callback')
        .map((x) => x.job),
      [1, 2, 3, 4],
    );
    const n = store.notKept;
    assert.deepEqual([n.tasks, n.firstTask, n.failed, n.byBudget], [2, 5, 0, true]);
    // Tasks 5 and 6 ran on Worker 1 (10+16 to 12+16 ms) and Worker 2 (30 to 32 ms).
    assert.deepEqual([n.spans[W1], n.spans[W2], n.busy[W1], n.busy[W2]], [1, 1, 2000, 2000]);
  });

  it('a window keeps the tasks that ran in it', () => {
    const path = join(dir, 'run.psrec');
    write(sixTasks(), path, true);
    // Task 3 runs 18-20 ms, task 4 22-24 ms: a window from 19 to 23 ms holds both and no other.
    const { ran, ...tasks } = tasksInWindow(indexJournal(path), 19_000, 23_000);
    assert.deepEqual({ ...tasks, ran }, { taskFrom: 3, taskTo: 5, only: new Set([3, 4]), ran: 2 });
    const { store } = replayJournal(path, { maxSpans: 100, ...tasks }, 'outside 19–23 ms');
    assert.deepEqual(
      spans(store)
        .filter((x) => x.kind === 'task')
        .map((x) => x.taskId),
      [3, 4],
    );
    assert.deepEqual([store.notKept.tasks, store.notKept.byBudget, store.notKept.reason], [4, false, 'outside 19–23 ms']);
  });

  it('a window keeps a task a lane took long before it, and every task of the other lanes, within a small budget', () => {
    // Worker 1 takes task 1 at 1 ms and runs it to 90 ms; meanwhile Worker 2 runs tasks 2-401, a
    // fifth of a millisecond each. The window 49.95-51.95 ms holds task 1 and tasks 245-254: a
    // range of ids from 1 would hold 254 tasks, past a budget of 50.
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
    s.pool(0, 'ThreadPool', { ms: 0, size: 2, site: at(3) });
    for (let i = 0; i < 401; i++) s.submit(0, { ms: 0.5, api: 'applyAsync', site: at(5), fn: 'work', args: `[${i}]` });
    s.start(W1, 1, 1).end(W1, 1, 90, 'ok', 'done');
    for (let task = 2; task <= 401; task++) s.start(W2, task, 1 + task * 0.2).end(W2, task, 1.1 + task * 0.2, 'ok', 'done');
    const path = join(dir, 'run.psrec');
    write(s, path, true);
    const index = indexJournal(path);
    const { ran, ...tasks } = tasksInWindow(index, 49_950, 51_950, 50);
    const expected = [1, ...Array.from({ length: 10 }, (_, i) => 245 + i)];
    assert.deepEqual([...tasks.only], expected);
    assert.equal(ran, expected.length);
    const { store } = replayJournal(path, { maxSpans: 50, ...tasks }, 'outside 49.95–51.95 ms', index);
    assert.deepEqual(
      spans(store)
        .filter((x) => x.kind === 'task')
        .map((x) => x.taskId),
      expected,
    );
    assert.equal(store.notKept.tasks, 401 - expected.length, 'the others are counted');
  });

  it('on a full disk stops, says where and why, and takes records on without throwing, in the background or not', async function () {
    if (!existsSync('/dev/full')) this.skip();
    for (const background of [false, true]) {
      const path = join(dir, `full-${background}.psrec`);
      symlinkSync('/dev/full', path);
      const w = new JournalWriter(path, { file: FILE, startedAt: '2026-11-21T05:00:00.000Z', origin: 0 }, background);
      for (const { ring, r } of sixTasks().ordered()) w.record(ring, r);
      w.flush();
      w.end({ outcome: 'returned', endUs: 40_000 });
      await w.closed;
      assert.match(w.failed ?? '', /^stopped at byte 0: ENOSPC/, `background: ${background}`);
    }
  });

  it('says what is wrong with a file that is not a journal, and where', () => {
    const path = join(dir, 'bad.psrec');
    writeFileSync(path, '{"traceEvents": []}');
    assert.throws(() => replayJournal(path), /not a poolscope run journal/);
    write(sixTasks(), path, true);
    const bytes = readFileSync(path);
    // The second frame's length, made absurd.
    const second = 8 + 8 + bytes.readInt32LE(12);
    bytes.writeInt32LE(-5, second + 4);
    writeFileSync(path, bytes);
    assert.throws(() => replayJournal(path), new RegExp(`byte ${second}: not a frame \\(source 0, -5 bytes\\)`));
  });
});
