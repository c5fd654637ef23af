import assert from 'node:assert/strict';
import { quantize } from '../../../src/trace/chromeTraceFormat';
import { TraceStore, type NewSpan } from '../../../src/trace/store';
import { spanAt, type SpanColumns } from '../../../src/trace/spanColumns';
import { TraceFeed } from '../../../src/protocol/encode';
import { SPAN_COLUMN_NAMES, decodeColumn } from '../../../src/protocol/wire';
import { analyze } from '../../../src/analysis/index';
import { ALL_SCENARIOS } from '../scenarios';
import { WORKER_SCENARIOS } from '../workerScenarios';
import { CALLBACK, MAIN, RunBuilder, at } from '../runBuilder';
import { exported, imported, viaFile } from './files';
import { allSpans } from '../../storeSpans';

const plain = <K, V>(m: Map<K, V>) => new Map([...m].map(([k, v]) => [k, JSON.parse(JSON.stringify(v)) as V]));

describe('Chrome trace round trip', () => {
  // The worker scenarios come through the real trace builder: lost tasks, pids, worker deaths, process pool kinds.
  for (const [name, build] of Object.entries<() => { store: TraceStore }>({ ...ALL_SCENARIOS, ...WORKER_SCENARIOS })) {
    it(`${name}: export, import, export gives the same file, store and findings`, async () => {
      const store = build().store;
      const first = exported(store);
      // Small pieces: every structural byte of the file falls on a piece boundary somewhere.
      const imported = await viaFile(store, 7);
      assert.deepStrictEqual(exported(imported), first);

      const q = (s: ReturnType<TraceStore['span']>) => ({ ...s, start: quantize(s.start), end: quantize(s.end), queued: s.queued === undefined ? undefined : quantize(s.queued) });
      assert.deepStrictEqual(allSpans(imported), allSpans(store).map(q));
      assert.deepStrictEqual(imported.lanes, store.lanes);
      assert.deepStrictEqual(imported.logs, store.logs);
      assert.deepStrictEqual(imported.marks, store.marks);
      // The builder gives every pool all fields up front, unset ones undefined: a saved file omits those.
      assert.deepStrictEqual([...imported.jobs.values()], [...store.jobs.values()]);
      assert.deepStrictEqual(imported.pools, plain(store.pools));
      assert.deepStrictEqual(imported.meta, store.meta);
      assert.equal(imported.end, store.end);
      assert.deepStrictEqual(analyze(imported), analyze(store));
    });
  }

  it('keeps clock readings that are not whole nanoseconds stable from the first export on', async () => {
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const r = new RunBuilder(3);
    r.pool({ id: 0, kind: 'ThreadPool', site: at(2) });
    // Short spans late in the run and long spans early: both ways `ts + dur` can round.
    let t = 0.1234567;
    for (let k = 0; k < 300; k++) {
      const job = r.job({ id: k, pool: 0, api: 'mapAsync', site: at(5, 3), submitted: t });
      t += rand() * 3.3333333;
      const dur = k % 2 ? rand() / 7 : rand() * 977.7777;
      r.task(job, { name: 'work', worker: 1 + (k % 3), start: t, end: t + dur, queued: t - rand() / 3 });
    }
    const first = exported(r.store);
    const once = await viaFile(r.store);
    const twice = await viaFile(once);
    assert.deepStrictEqual(exported(once), first);
    assert.deepStrictEqual(exported(twice), first);
  });

  it('carries every span field, set or unset, through the file and through the wire to the view', async () => {
    // Required<NewSpan>: a span field added to the columns must be given here.
    const full = {
      lane: 2,
      kind: 'task',
      status: 'error',
      name: 'crunch',
      start: 1.5,
      end: 9.25,
      queued: 0.5,
      taskId: 7,
      job: 3,
      api: 'applyAsync',
      site: 'a.ts:3:5',
      site2: 'b.ts:4:1',
      text: 'ValueError: x',
      args: '[1]',
      cbKind: 'error',
      cpu: 3950,
      cpuWait: 120,
    } satisfies Required<NewSpan>;
    const store = new TraceStore();
    store.addSpan(full);
    store.addSpan({ lane: 0, kind: 'wait', status: 'ok', name: 'sleep', start: 3 });
    assert.deepStrictEqual(store.span(0), { index: 0, ...full, site: { file: 'a.ts', line: 3, col: 5 }, site2: { file: 'b.ts', line: 4, col: 1 } });
    const empty = { queued: undefined, api: undefined, site: undefined, site2: undefined, text: undefined, args: undefined, cbKind: undefined, cpu: undefined, cpuWait: undefined };
    assert.deepStrictEqual(store.span(1), { index: 1, lane: 0, kind: 'wait', status: 'ok', name: 'sleep', start: 3, end: 3, taskId: -1, job: -1, ...empty });

    assert.deepStrictEqual(allSpans(await viaFile(store)), allSpans(store));
    const patch = new TraceFeed(store).snapshot();
    const columns = Object.fromEntries(SPAN_COLUMN_NAMES.map((c) => [c, decodeColumn(c, patch.spans[c])])) as unknown as SpanColumns;
    const strings = ['', ...patch.strings.items];
    assert.deepStrictEqual(
      [0, 1].map((i) => spanAt(columns, strings, i)),
      allSpans(store),
    );
  });

  it('keeps text as written: newlines, quotes, unicode, and absent fields stay absent', async () => {
    const r = new RunBuilder(1);
    r.pool({ id: 0, kind: 'ThreadPoolExecutor', site: { file: 'C:\\work\\tâsks.ts', line: 1, col: 1 } });
    const job = r.job({ id: 0, pool: 0, api: 'submit', site: at(3), submitted: 0 });
    r.task(job, { name: 'grüße', worker: 1, start: 1, end: 2, text: 'line 1\nline "2"\t✓', args: '["a\\u0000b"]' });
    r.store.addSpan({ lane: MAIN, kind: 'wait', status: 'ok', name: 'sleep', start: 3 });
    r.log(CALLBACK, 4, '🙂 done', 'stderr');
    r.mark('worker-exit', 2, 5);
    const back = await viaFile(r.store, 3);
    assert.deepStrictEqual(allSpans(back), allSpans(r.store));
    assert.equal(back.span(1).site, undefined);
    assert.equal(back.span(1).job, -1);
    assert.deepStrictEqual(back.logs, r.store.logs);
    assert.deepStrictEqual(back.marks, [...r.store.marks]);
    assert.deepStrictEqual(back.pools.get(0)?.site, { file: 'C:\\work\\tâsks.ts', line: 1, col: 1 });
  });

  it("keeps a Python run's language and its tasks' CPU times and waits for a CPU (a task without them stays without)", async () => {
    const r = new RunBuilder(2);
    r.store.meta.language = 'python';
    r.pool({ id: 0, kind: 'ThreadPool', site: at(3) });
    const job = r.job({ id: 0, pool: 0, api: 'map_async', site: at(5), submitted: 0 });
    r.task(job, { name: 'crunch', worker: 1, start: 1, end: 9, cpu: 3950, cpuWait: 120 });
    r.task(job, { name: 'crunch', worker: 2, start: 1, end: 9 });
    const back = await viaFile(r.store);
    assert.equal(back.meta.language, 'python');
    assert.deepStrictEqual(
      allSpans(back).map((s) => [s.cpu, s.cpuWait]),
      [
        [3950, 120],
        [undefined, undefined],
      ],
    );
    const file = exported(r.store);
    await assert.rejects(imported({ ...file, metadata: { poolscope: { ...file.metadata.poolscope, meta: { ...r.store.meta, language: 'cobol' } } } }), /language/);
  });
});
