// Checks the exported files against the Trace Event Format as Perfetto and chrome://tracing read
// it: named threads, complete spans, instants, and flow chains that bind to real slices.
import assert from 'node:assert/strict';
import type { ChromeTraceEvent, ChromeTraceFile } from '../../../src/trace/chromeTrace';
import { quantize } from '../../../src/trace/chromeTraceFormat';
import { ALL_SCENARIOS, blockingCallback, mapWithFailures, SITES } from '../scenarios';
import { FILE } from '../runBuilder';
import { exported } from './files';

const isSite = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { file: unknown }).file === 'string' &&
  Number.isInteger((v as { line: unknown }).line) &&
  Number.isInteger((v as { col: unknown }).col);

function threadNames(file: ChromeTraceFile): string[] {
  const name = new Map<number, string>();
  const rank = new Map<number, number>();
  for (const e of file.traceEvents) {
    if (e.ph === 'M' && e.name === 'thread_name') name.set(e.tid, e.args!.name as string);
    if (e.ph === 'M' && e.name === 'thread_sort_index') rank.set(e.tid, e.args!.sort_index as number);
  }
  return [...name.keys()].sort((a, b) => rank.get(a)! - rank.get(b)!).map((tid) => name.get(tid)!);
}

/** The slice a flow event at (tid, ts) binds to: the innermost X that encloses it. */
function enclosing(file: ChromeTraceFile, tid: number, ts: number): ChromeTraceEvent | undefined {
  return file.traceEvents.filter((e) => e.ph === 'X' && e.tid === tid && e.ts! <= ts && ts <= e.ts! + e.dur!).sort((a, b) => a.dur! - b.dur!)[0];
}

/** Flow chains by id, each as the slices it links, in order. */
function flowChains(file: ChromeTraceFile): ChromeTraceEvent[][] {
  const byId = new Map<number, ChromeTraceEvent[]>();
  for (const e of file.traceEvents) if ('sft'.includes(e.ph) && e.ph.length === 1) byId.set(e.id!, [...(byId.get(e.id!) ?? []), e]);
  return [...byId.entries()].map(([id, chain]) => {
    assert.deepEqual(
      chain.map((e) => e.ph),
      ['s', ...Array(chain.length - 2).fill('t'), 'f'],
      `flow ${id} is s, t..., f`,
    );
    assert.equal(chain[chain.length - 1].bp, 'e', `flow ${id} ends on its enclosing slice`);
    assert.ok(
      chain.every((e) => e.cat === chain[0].cat && e.name === chain[0].name),
      `flow ${id} keeps one cat and name`,
    );
    return chain.map((e) => {
      const slice = enclosing(file, e.tid, e.ts!);
      assert.ok(slice, `flow ${id} ${e.ph} at tid ${e.tid} ts ${e.ts} lies inside a slice`);
      return slice;
    });
  });
}

describe('Chrome trace format', () => {
  for (const [name, build] of Object.entries(ALL_SCENARIOS)) {
    it(`${name}: every event is well-formed for its phase`, () => {
      const file = exported(build().store);
      assert.equal(file.displayTimeUnit, 'ms');
      assert.deepEqual(threadNames(file), [
        'Main',
        'Callback',
        ...threadNames(file)
          .slice(2)
          .map((_, k) => `Worker ${k + 1}`),
      ]);
      const named = new Set(file.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.tid));
      for (const [i, e] of file.traceEvents.entries()) {
        const where = `event ${i} (${e.ph} ${e.name})`;
        assert.equal(typeof e.name, 'string', where);
        assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), `${where} has pid and tid`);
        if (e.ph === 'M') continue;
        assert.ok(Number.isFinite(e.ts), `${where} has ts`);
        assert.ok(named.has(e.tid), `${where} is on a named thread`);
        if (e.ph === 'X') {
          assert.ok(Number.isFinite(e.dur) && e.dur! >= 0, `${where} has dur`);
          const a = e.args!;
          if (e.cat === 'task') {
            assert.ok(Number.isInteger(a.taskId) && Number.isInteger(a.job) && typeof a.api === 'string', `${where} task ids and api`);
            assert.ok(['ok', 'error', 'cancelled', 'running'].includes(a.status as string), `${where} task status`);
            assert.ok((a.queueUs as number) >= 0 && isSite(a.site), `${where} queue time and call site`);
          } else if (e.cat === 'callback') {
            assert.ok(['result', 'error', 'done'].includes(a.kind as string) && ['ok', 'threw', 'running'].includes(a.status as string), `${where} callback kind and status`);
            assert.ok(isSite(a.site) && isSite(a.registeredAt), `${where} definition and registration sites`);
          } else if (e.cat === 'wait') {
            assert.ok(['ok', 'timeout', 'error', 'running'].includes(a.status as string) && isSite(a.site), `${where} wait status and site`);
          } else {
            assert.ok(['init', 'submit'].includes(e.cat!), `${where} has a known cat`);
          }
        } else if (e.ph === 'i') {
          assert.equal(e.s, 't', `${where} is a thread instant`);
          if (e.cat === 'log') assert.ok(typeof e.args!.text === 'string' && ['stdout', 'stderr'].includes(e.args!.stream as string), where);
          else assert.equal(e.cat, 'mark', where);
        } else {
          assert.ok(['s', 't', 'f'].includes(e.ph) && Number.isInteger(e.id), `${where} is a flow event with an id`);
        }
      }
      flowChains(file);
    });
  }

  it('names the lanes exactly and sorts them Main, Callback, Workers', () => {
    assert.deepEqual(threadNames(exported(blockingCallback().store)), ['Main', 'Callback', 'Worker 1', 'Worker 2']);
  });

  it('links each submit on Main, at its submit time, to its task and then its callback', () => {
    const run = blockingCallback();
    const file = exported(run.store);
    const chains = flowChains(file);
    assert.equal(chains.length, 8, 'one chain per task');
    for (const [submit, task, callback] of chains) {
      const job = run.store.jobs.get(submit.args!.job as number)!;
      assert.deepEqual([submit.cat, submit.tid, submit.ts, submit.name], ['submit', 0, quantize(job.submitted), 'applyAsync']);
      assert.deepEqual([task.cat, task.args!.job], ['task', job.id]);
      assert.deepEqual([callback.cat, callback.name, callback.args!.job], ['callback', 'handler', job.id]);
    }
  });

  it('ends every chunk of a mapAsync at its one error callback', () => {
    const chains = flowChains(exported(mapWithFailures().store));
    assert.deepEqual(
      chains.map((c) => c.map((e) => `${e.cat}:${e.name}`)),
      Array(5).fill(['submit:mapAsync', 'task:parse', 'callback:onError']),
    );
  });

  it('carries span fields and source locations in args', () => {
    const file = exported(blockingCallback().store);
    const task = file.traceEvents.find((e) => e.cat === 'task')!;
    assert.deepEqual(task, {
      ph: 'X',
      cat: 'task',
      name: 'square',
      pid: 1,
      tid: 2,
      ts: 100,
      dur: 9900,
      args: { status: 'ok', job: 0, taskId: 1, api: 'applyAsync', queuedAt: 50, queueUs: 50, site: SITES.firstApply, text: '0', input: '[0]' },
    });
    const cb = file.traceEvents.find((e) => e.cat === 'callback')!;
    assert.deepEqual(cb, {
      ph: 'X',
      cat: 'callback',
      name: 'handler',
      pid: 1,
      tid: 1,
      ts: 12000,
      dur: 1200000,
      args: { status: 'ok', job: 0, kind: 'result', site: SITES.handler, registeredAt: SITES.registered },
    });
    const log = file.traceEvents.find((e) => e.cat === 'log')!;
    assert.deepEqual(log, { ph: 'i', s: 't', cat: 'log', name: 'handling 0', pid: 1, tid: 1, ts: 12500, args: { text: 'handling 0', stream: 'stdout' } });
    assert.equal(file.metadata.poolscope?.meta.file, FILE);
  });
});
