// The exported trace of every example follows the Chrome Trace Event Format as Perfetto reads
// it (lane names, spans, flows), and export -> import -> export loses nothing.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { ChromeTraceEvent, ChromeTraceFile } from '../../src/trace/chromeTrace';
import { EXAMPLES, host, runExample, type Run } from './helpers';

const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const STATUSES: Record<string, string[]> = {
  task: ['ok', 'error', 'cancelled', 'lost', 'running'],
  callback: ['ok', 'threw', 'running'],
  wait: ['ok', 'timeout', 'error', 'running'],
  init: ['ok', 'error', 'running'],
  run: ['ok', 'running'],
};

function assertSite(site: unknown, where: string): void {
  const s = site as { file?: unknown; line?: unknown; col?: unknown };
  assert.ok(s && typeof s.file === 'string' && Number.isInteger(s.line) && Number.isInteger(s.col), `${where}: args.site is not {file, line, col}: ${JSON.stringify(site)}`);
}

function validate(run: Run, file: ChromeTraceFile): void {
  const events = file.traceEvents;
  const threadNames = events.filter((e) => e.ph === 'M' && e.name === 'thread_name');
  const names = threadNames.map((e) => e.args?.name as string);
  assert.deepEqual(names.slice(0, 2), ['Main', 'Callback']);
  names.slice(2).forEach((n, i) => assert.equal(n, `Worker ${i + 1}`));
  assert.deepEqual(new Set(threadNames.map((e) => e.tid)).size, threadNames.length, 'two lanes share a tid');
  const laneTids = new Set(threadNames.map((e) => e.tid));

  const spans = events.filter((e) => e.ph === 'X' && e.cat !== 'submit');
  assert.equal(spans.length, run.store.spanCount, 'one X event per span');
  for (const e of spans) {
    const where = `${e.cat} ${e.name} @${e.ts}`;
    assert.ok(laneTids.has(e.tid), `${where}: on an unnamed lane`);
    assert.ok(typeof e.ts === 'number' && typeof e.dur === 'number' && e.dur >= 0, `${where}: ts/dur`);
    assert.ok(e.cat! in STATUSES, `${where}: unknown cat`);
    assert.ok(STATUSES[e.cat!].includes(e.args?.status as string), `${where}: status ${e.args?.status}`);
    if (e.cat === 'task') {
      assert.ok(Number.isInteger(e.args?.taskId), `${where}: taskId`);
      assert.match(String(e.args?.api), /^(apply|applyAsync|map|mapAsync|starmap|starmapAsync|imap|imapUnordered|submit)$/, `${where}: api`);
      assert.match(e.name, /^[A-Za-z_$][\w$]*$/, `${where}: a task is named by its export name`);
      assertSite(e.args?.site, where);
    }
    if (e.cat === 'run') assert.equal(e.tid, threadNames[0].tid, `${where}: main's running time is on Main's lane`);
    if (e.cat === 'callback') {
      assert.ok(['result', 'error', 'done'].includes(e.args?.kind as string), `${where}: kind`);
      assert.ok(e.name.length > 0);
      assertSite(e.args?.site, where);
    }
  }
  const taskNames = new Set(run.spans.filter((s) => s.kind === 'task').map((s) => s.name));
  assert.deepEqual(new Set(spans.filter((e) => e.cat === 'task').map((e) => e.name)), taskNames);

  const logs = events.filter((e) => e.ph === 'i' && e.cat === 'log');
  assert.equal(logs.length, run.store.logs.length, 'one log event per printed line');
  assert.deepEqual(
    logs.map((e) => e.args?.text),
    run.store.logs.map((l) => l.text),
  );

  // Flows: each id starts once (s) on Main and ends once (f); every step binds to a slice on its lane.
  const flows = new Map<number, ChromeTraceEvent[]>();
  for (const e of events.filter((x) => x.ph === 's' || x.ph === 't' || x.ph === 'f')) {
    if (!flows.has(e.id!)) flows.set(e.id!, []);
    flows.get(e.id!)!.push(e);
  }
  const taskSpans = run.spans.filter((s) => s.kind === 'task').length;
  assert.equal(flows.size, taskSpans, 'one flow per task');
  const slices = events.filter((e) => e.ph === 'X');
  for (const [id, chain] of flows) {
    assert.equal(chain[0].ph, 's', `flow ${id} does not start with s`);
    assert.equal(chain.at(-1)!.ph, 'f', `flow ${id} does not end with f`);
    assert.equal(chain.filter((e) => e.ph === 's').length, 1);
    assert.equal(chain.filter((e) => e.ph === 'f').length, 1);
    for (const step of chain) {
      const enclosing = slices.some((x) => x.tid === step.tid && x.ts! <= step.ts! && step.ts! <= x.ts! + x.dur!);
      assert.ok(enclosing, `flow ${id} ${step.ph} at ${step.ts} on tid ${step.tid} binds to no slice`);
    }
  }
}

describe('trace export of every example (Chrome Trace Event Format)', function () {
  for (const name of examples) {
    it(`${name}: lanes, spans, logs and flows are well-formed, and export -> import -> export is lossless`, async () => {
      const run = await runExample(name);
      const { chromeTraceText, readChromeTrace } = await host();
      const text = [...chromeTraceText(run.store)].join('');
      const exported = JSON.parse(text) as ChromeTraceFile;
      validate(run, exported);
      const again = JSON.parse([...chromeTraceText(await readChromeTrace(() => [text]))].join(''));
      assert.deepEqual(again, exported);
    });
  }
});
