// The Perfetto export read back with a decoder built from Perfetto's published schema (the subset
// in perfetto/trace.proto): every lane is a named thread track, every span one slice on its lane
// with its name, kind, times and fields, slices nest on every track, packets come in time order,
// every interned id is defined before use, and each task's flow runs submit -> task -> callbacks.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { perfettoTrace } from '../../../src/trace/perfettoTrace';
import type { TraceStore } from '../../../src/trace/store';
import { ALL_SCENARIOS } from '../scenarios';
import { WORKER_SCENARIOS } from '../workerScenarios';
import { MAIN, RunBuilder, at } from '../runBuilder';

const root = protobuf.loadSync(join(__dirname, 'perfetto', 'trace.proto'));
const TracePacket = root.lookupType('perfetto.protos.TracePacket');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- decoded protobuf messages, read field by field
type Obj = Record<string, any>;
interface Slice {
  track: number;
  name: string;
  category: string;
  ts: number;
  end: number;
  args: Record<string, unknown>;
  flows: number[];
  ending: number[];
}

/** The file's packets, decoded one at a time from the Trace message's repeated field 1. */
function* packets(file: Uint8Array): Generator<Obj> {
  const r = protobuf.Reader.create(file);
  while (r.pos < r.len) {
    const tag = r.uint32();
    assert.equal(tag, (1 << 3) | 2, 'the file is a sequence of Trace.packet fields');
    const len = r.uint32();
    yield TracePacket.toObject(TracePacket.decode(r.buf.subarray(r.pos, r.pos + len)), { longs: Number, defaults: false });
    r.pos += len;
  }
}

interface Decoded {
  threads: Map<number, { name: string; tid: number; pid: number }>;
  parent: Map<number, number>;
  slices: Slice[];
  instants: Slice[];
}

function decode(store: TraceStore): Decoded {
  const chunks = [...perfettoTrace(store)];
  const file = Buffer.concat(chunks);
  const threads = new Map<number, { name: string; tid: number; pid: number }>();
  const parent = new Map<number, number>();
  const names = new Map<number, string>(),
    categories = new Map<number, string>(),
    annNames = new Map<number, string>(),
    strings = new Map<number, string>();
  const open = new Map<number, Slice[]>();
  const slices: Slice[] = [],
    instants: Slice[] = [];
  let lastTs = 0;
  for (const p of packets(file)) {
    assert.equal(p.trustedPacketSequenceId, 1);
    const d = p.internedData;
    for (const x of d?.eventNames ?? []) names.set(x.iid, x.name);
    for (const x of d?.eventCategories ?? []) categories.set(x.iid, x.name);
    for (const x of d?.debugAnnotationNames ?? []) annNames.set(x.iid, x.name);
    for (const x of d?.debugAnnotationStringValues ?? []) strings.set(x.iid, Buffer.from(x.str).toString('utf8'));
    if (p.trackDescriptor) {
      const t = p.trackDescriptor;
      if (t.thread) threads.set(t.uuid, { name: t.thread.threadName, tid: t.thread.tid, pid: t.thread.pid });
      if (t.parentUuid !== undefined) parent.set(t.uuid, t.parentUuid);
      continue;
    }
    const e = p.trackEvent;
    if (!e) continue;
    assert.ok(p.timestamp >= lastTs, `packets in time order (${p.timestamp} after ${lastTs})`);
    lastTs = p.timestamp;
    assert.ok(parent.has(e.trackUuid), `track ${e.trackUuid} was described before its first event`);
    const stack = open.get(e.trackUuid) ?? [];
    open.set(e.trackUuid, stack);
    if (e.type === 2) {
      const s = stack.pop();
      assert.ok(s, `an end on track ${e.trackUuid} closes an open slice`);
      s.end = p.timestamp;
      continue;
    }
    const iid = (map: Map<number, string>, id: number, what: string) => {
      assert.ok(map.has(id), `${what} iid ${id} is defined before use`);
      return map.get(id)!;
    };
    const args: Record<string, unknown> = {};
    for (const a of e.debugAnnotations ?? []) {
      const key = iid(annNames, a.nameIid, 'annotation name');
      args[key] = a.stringValueIid !== undefined ? iid(strings, a.stringValueIid, 'string value') : (a.intValue ?? a.doubleValue ?? a.stringValue ?? a.boolValue);
    }
    const s: Slice = {
      track: e.trackUuid,
      name: e.nameIid !== undefined ? iid(names, e.nameIid, 'event name') : e.name,
      category: iid(categories, e.categoryIids[0], 'category'),
      ts: p.timestamp,
      end: p.timestamp,
      args,
      flows: e.flowIds ?? [],
      ending: e.terminatingFlowIds ?? [],
    };
    if (e.type === 1) {
      const outer = stack[stack.length - 1];
      assert.ok(!outer || outer.end === outer.ts, 'slices nest');
      stack.push(s);
      slices.push(s);
    } else instants.push(s);
  }
  for (const [track, stack] of open) assert.equal(stack.length, 0, `every slice on track ${track} ends`);
  return { threads, parent, slices, instants };
}

/** The lane a track draws: a thread track's, or its parent thread track's for an overlap track. */
function laneOf(d: Decoded, track: number): number {
  const thread = d.threads.get(track) ?? d.threads.get(d.parent.get(track)!);
  assert.ok(thread, `track ${track} belongs to a thread`);
  return thread.tid - 1;
}

function checkAgainst(store: TraceStore): Decoded {
  const d = decode(store);
  assert.deepEqual([...d.threads.values()].map((t) => t.name).sort(), store.lanes.map((l) => l.name).sort(), 'a thread track per lane');
  for (const t of d.threads.values()) assert.equal(store.laneById(t.tid - 1)?.name, t.name);
  assert.equal(d.slices.length, store.spanCount, 'a slice per span');
  const ns = (us: number) => Math.round(us * 1000);
  // Spans and slices matched by lane, start, end and name; each slice used once.
  const key = (lane: number, ts: number, end: number, name: string, cat: string) => `${lane}|${ts}|${end}|${name}|${cat}`;
  const byKey = new Map<string, Slice[]>();
  for (const s of d.slices) {
    const k = key(laneOf(d, s.track), s.ts, s.end, s.name, s.category);
    byKey.set(k, [...(byKey.get(k) ?? []), s]);
  }
  const submitOf = new Map(d.instants.filter((x) => x.category === 'submit').map((x) => [x.args.job, x]));
  const endings = new Map<number, number>();
  for (const s of d.slices) for (const f of s.ending) endings.set(f, (endings.get(f) ?? 0) + 1);
  for (let i = 0; i < store.spanCount; i++) {
    const span = store.span(i);
    const k = key(span.lane, ns(span.start), ns(span.end), span.name, span.kind);
    const found = byKey.get(k)?.find((s) => s.args.status === span.status && (s.args.task ?? -1) === span.taskId && (s.args.job ?? -1) === span.job);
    assert.ok(found, `span ${i} (${span.kind} ${span.name} on lane ${span.lane}, ${span.start}–${span.end} µs, ${span.status}) is a slice`);
    byKey.get(k)!.splice(byKey.get(k)!.indexOf(found), 1);
    if (span.text !== undefined) assert.equal(found.args.text, span.text);
    if (span.site) assert.equal(found.args.site, `${span.site.file}:${span.site.line}:${span.site.col}`);
    if (span.kind === 'task') {
      // Its flow starts at its job's submit, on Main, and ends at the task or the job's last callback.
      const flow = i + 1;
      assert.ok(submitOf.get(span.job)?.flows.includes(flow), `task span ${i}'s flow starts at its submit`);
      assert.equal(endings.get(flow), 1, `task span ${i}'s flow ends once`);
    }
  }
  return d;
}

describe('Perfetto export (protobuf TracePacket stream)', () => {
  for (const [name, build] of Object.entries<() => { store: TraceStore }>({ ...ALL_SCENARIOS, ...WORKER_SCENARIOS })) {
    it(`${name}: every lane a thread track, every span a slice with its times, flows from submit to callback`, () => {
      checkAgainst(build().store);
    });
  }

  it("keeps a worker's marks whole: the pid, a replacement, the signal that killed it and the task it took", () => {
    const { store, crunch } = WORKER_SCENARIOS.poolWorkerKilled();
    const d = decode(store);
    const worker = d.instants.filter((x) => x.category === 'mark' && x.name.startsWith('worker-')).map((x): Record<string, unknown> => ({ name: x.name, ...x.args }));
    assert.deepEqual(
      worker.sort((a, b) => String(a.pid ?? '').localeCompare(String(b.pid ?? ''))),
      [
        { name: 'worker-died', pool: 0, text: 'killed by SIGKILL', signal: 'SIGKILL', task: crunch },
        { name: 'worker-start', pool: 0, pid: 5001 },
        { name: 'worker-start', pool: 0, pid: 5002 },
        { name: 'worker-start', pool: 0, pid: 5003, replaces: true },
      ],
    );
  });

  it('puts spans that overlap without nesting on a second track of their lane', () => {
    const r = new RunBuilder(1);
    r.store.addSpan({ lane: MAIN, kind: 'wait', status: 'ok', name: 'get', start: 1000, end: 5000 });
    r.store.addSpan({ lane: MAIN, kind: 'wait', status: 'ok', name: 'join', start: 3000, end: 8000 });
    r.store.addSpan({ lane: MAIN, kind: 'wait', status: 'ok', name: 'sleep', start: 3500, end: 4000 });
    const d = checkAgainst(r.store);
    const join = d.slices.find((s) => s.name === 'join')!;
    const get = d.slices.find((s) => s.name === 'get')!;
    assert.notEqual(join.track, get.track);
    assert.equal(d.parent.get(join.track), get.track, 'the overlap track hangs under Main');
  });

  it('writes a big run in pieces, each a whole number of packets', () => {
    const r = new RunBuilder(2);
    r.pool({ id: 0, kind: 'ThreadPool', site: at(3) });
    for (let k = 0; k < 30_000; k++) {
      const job = r.job({ id: k + 1, pool: 0, api: 'applyAsync', site: at(10), submitted: k / 10 });
      r.task(job, { name: 'work', worker: 1 + (k % 2), start: k / 10 + 0.01, end: k / 10 + 0.05, text: `${k}` });
    }
    const pieces = [...perfettoTrace(r.store)];
    assert.ok(pieces.length > 1, 'more than one piece');
    for (const p of pieces) assert.ok([...packets(p)].length > 0);
    checkAgainst(r.store);
  });
});
