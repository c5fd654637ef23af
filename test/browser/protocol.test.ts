// The two ends of the host/webview protocol without a browser: the host's check rejects
// anything that is not exactly one of the view's messages, and a store sent as a snapshot and
// then as deltas arrives in the view's columns exactly as the store holds it.
import assert from 'node:assert/strict';
import { TraceFeed } from '../../src/protocol/encode';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';
import { checkViewEnvelope } from '../../src/protocol/validate';
import { TraceData } from '../../src/webview/traceData';
import { blockingCallbackTrace } from './fixtures';

const env = (msg: unknown, extra: Record<string, unknown> = {}) => ({ v: PROTOCOL_VERSION, id: 1, msg, ...extra });

describe('host check of webview messages', function () {
  it('accepts each message shape the view sends', function () {
    for (const msg of [
      { type: 'ready', lastSeq: 0 },
      { type: 'resync', expected: 3, got: 5 },
      { type: 'openSource', site: { file: '/w/a.ts', line: 3, col: 1 } },
      { type: 'exportTrace' },
      { type: 'openTrace' },
      { type: 'applied', spans: 10, lanes: 4, seq: 2 },
    ])
      assert.ok(checkViewEnvelope(env(msg)).ok, JSON.stringify(msg));
  });

  it('rejects wrong versions, unknown types, extra fields and bad sites, saying why', function () {
    const cases: [unknown, RegExp][] = [
      [null, /object/],
      [{ ...env({ type: 'ready', lastSeq: 0 }), v: 99 }, /version/],
      [env({ type: 'ready', lastSeq: 0 }, { evil: 1 }), /unexpected field 'evil'/],
      [env({ type: 'runCommand', command: 'rm -rf /' }), /msg\.type must be one of ready, .* \(got "runCommand"\)/],
      [env({ type: 'openSource', site: { file: '/w/a.ts', line: 0, col: 1 } }), /site.line/],
      [env({ type: 'openSource', site: { file: '', line: 1, col: 1 } }), /site.file/],
      [env({ type: 'openSource', site: { file: '/w/a\0.ts', line: 1, col: 1 } }), /site.file/],
      [env({ type: 'openSource', site: { file: '/w/a.ts', line: 1, col: 1, uri: 'command:x' } }), /unexpected field 'uri'/],
      [env({ type: 'applied', spans: -1, lanes: 1, seq: 1 }), /msg\.spans must be an integer from 0/],
      [env({ type: 'exportTrace', path: '/etc/passwd' }), /unexpected field 'path'/],
      [{ v: PROTOCOL_VERSION, id: 1.5, msg: { type: 'openTrace' } }, /id/],
    ];
    for (const [m, why] of cases) {
      const r = checkViewEnvelope(m);
      assert.equal(r.ok, false, JSON.stringify(m));
      assert.match((r as { error: string }).error, why);
    }
  });
});

describe('trace transfer: snapshot and deltas', function () {
  const same = (view: TraceData, store: ReturnType<typeof blockingCallbackTrace>['store']) => {
    assert.equal(view.n, store.spanCount);
    for (let i = 0; i < store.spanCount; i++) {
      const { lane, slow, ...got } = view.span(i);
      void slow;
      assert.deepEqual({ ...got, lane: lane.id }, { ...store.span(i) }, `span ${i}`);
    }
    assert.deepEqual(view.logs, store.logs);
    assert.deepEqual(view.marks, store.marks);
    for (const j of store.jobs.values())
      assert.deepEqual(view.job(j.id), { id: j.id, api: j.api, submitted: j.submitted, ...(j.readyAt === undefined ? {} : { readyAt: j.readyAt }) });
  };

  it('a snapshot then deltas leave the view holding what the store holds, sending only what changed', function () {
    const { store } = blockingCallbackTrace();
    const feed = new TraceFeed(store);
    const view = new TraceData();
    view.apply(feed.snapshot());
    same(view, store);
    assert.equal(feed.stale, false);

    store.endSpan(0, store.col.end[0] + 5000, 'error', 'a new string');
    const added = store.addSpan({ lane: 3, kind: 'task', status: 'ok', name: 'brand-new', start: 400000, end: 401000, taskId: 50, job: 50 });
    store.addLog({ lane: 3, ts: 400500, stream: 'stderr', text: 'late line' });
    store.jobs.set(1, { ...store.jobs.get(1)!, retrieved: false });
    store.jobChanged(1);
    const delta = feed.delta();
    assert.equal(delta.spans.n, 2, 'the changed span and the new one');
    assert.equal(delta.logs.items.length, 1);
    assert.deepEqual([...delta.jobs.id], [1]);
    assert.deepEqual(delta.strings.items, ['a new string', 'brand-new'], 'only the newly interned strings');
    view.apply(delta);
    same(view, store);
    assert.equal(view.span(added).name, 'brand-new');
    assert.equal(feed.delta().spans.n, 0, 'nothing changed, nothing sent');
  });

  it('a big trace arrives in pieces of bounded rows, and the view ends up holding all of it', function () {
    const { store } = blockingCallbackTrace();
    const feed = new TraceFeed(store, 3);
    const view = new TraceData();
    const first = feed.snapshot();
    assert.equal(first.spans.n, 3);
    assert.equal(first.jobs.n, 3, 'jobs go in pieces too');
    view.apply(first);
    // Jobs that change meanwhile, one the view holds and one still to send, arrive once and as they are now.
    for (const id of [1, 6]) {
      store.jobs.set(id, { ...store.jobs.get(id)!, readyAt: 500_000 + id });
      store.jobChanged(id);
    }
    let pieces = 1;
    while (feed.stale) {
      const p = feed.delta();
      assert.ok(p.spans.n <= 3 + 1, `a piece of at most 3 new rows (and the few sent rows that changed): ${p.spans.n}`);
      assert.ok(p.jobs.n <= 3, `a piece of at most 3 jobs: ${p.jobs.n}`);
      view.apply(p);
      pieces++;
    }
    assert.equal(pieces, Math.ceil(store.spanCount / 3));
    same(view, store);
  });
});
