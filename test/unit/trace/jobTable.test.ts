// The store's jobs kept in columns read back as the jobs that went in, in the order they went in,
// whatever their ids: a run's (counting up), a saved file's or a hand-made trace's (any order).
import assert from 'node:assert/strict';
import { JobTable } from '../../../src/trace/jobTable';
import type { Job } from '../../../src/trace/model';

const site = (line: number) => ({ file: '/home/dev/demo/tasks.ts', line, col: 5 });
function job(id: number, more: Partial<Job> = {}): Job {
  return {
    id,
    pool: 0,
    api: 'applyAsync',
    site: site(10),
    fnSite: undefined,
    submitted: id * 1.5,
    tasks: [id],
    callbacks: [],
    resultIn: undefined,
    readyAt: undefined,
    status: 'pending',
    retrieved: false,
    ...more,
  };
}

describe('job table', () => {
  it('gives back every field of the jobs it was given, in the order they came, unset ones undefined', () => {
    const t = new JobTable();
    const jobs = [
      job(1),
      job(2, { tasks: [], callbacks: [{ kind: 'error', name: 'onError', site: site(3), registeredAt: site(12) }], status: 'error', readyAt: 9.25, resultIn: 8.5 }),
      job(3, { tasks: [7, 8, 9], fnSite: site(1), api: 'mapAsync', pool: 2, status: 'ok', retrieved: true }),
      job(4, { tasks: [2 ** 31 - 1, -(2 ** 31)], status: 'cancelled' }),
    ];
    for (const j of jobs) t.set(j.id, j);
    assert.deepStrictEqual([...t.values()], jobs);
    assert.deepStrictEqual([...t.keys()], [1, 2, 3, 4]);
    assert.equal(t.size, 4);
    assert.deepStrictEqual(Object.keys(t.get(1)!), ['id', 'pool', 'api', 'site', 'fnSite', 'submitted', 'tasks', 'callbacks', 'resultIn', 'readyAt', 'status', 'retrieved']);
    assert.equal(t.get(5), undefined);
    assert.equal(t.get(0), undefined);
  });

  it('finds jobs whose ids do not count up, and a set of a known id replaces it where it stands', () => {
    const t = new JobTable();
    for (const id of [5, 6, 2, 900_000, -3]) t.set(id, job(id));
    t.set(2, job(2, { status: 'ok', tasks: [] }));
    assert.deepStrictEqual([...t.keys()], [5, 6, 2, 900_000, -3]);
    for (const id of [5, 6, 900_000, -3]) assert.deepStrictEqual(t.get(id), job(id));
    assert.deepStrictEqual(t.get(2), job(2, { status: 'ok', tasks: [] }));
    assert.equal(t.has(7), false);
  });

  it('takes a running job in as the trace builder changes it, and says when there is no such job', () => {
    const t = new JobTable();
    t.add(1, 0, 'mapAsync', site(10), site(1), 2);
    t.add(2, 0, 'applyAsync', site(11), undefined, 3);
    assert.ok(t.addTask(1, 10) && t.addTask(1, 11) && t.addTask(2, 12));
    assert.ok(t.addCallback(1, { kind: 'result', name: 'onResult', site: site(4), registeredAt: site(10) }));
    assert.ok(t.setResultIn(1, 5) && t.setReady(1, 6, 'ok'));
    assert.equal(t.setRetrieved(1), true);
    assert.equal(t.setRetrieved(1), false, 'retrieved already');
    assert.equal(t.addTask(3, 13) || t.setResultIn(3, 1) || t.setReady(3, 1, 'ok') || t.setRetrieved(3), false);
    assert.deepStrictEqual(t.get(1), {
      ...job(1, { api: 'mapAsync', fnSite: site(1), submitted: 2, tasks: [10, 11], resultIn: 5, readyAt: 6, status: 'ok', retrieved: true }),
      callbacks: [{ kind: 'result', name: 'onResult', site: site(4), registeredAt: site(10) }],
    });
    assert.deepStrictEqual(t.get(2), job(2, { site: site(11), submitted: 3, tasks: [12] }));
    assert.equal(t.poolOf(2), 0);
    assert.equal(t.apiOf(2), 'applyAsync');
    assert.deepStrictEqual(t.siteOf(2), site(11));
    assert.equal(t.poolOf(3), undefined);
  });

  it('grows past its first rows', () => {
    const t = new JobTable();
    for (let id = 1; id <= 5000; id++) t.add(id, id % 3, 'applyAsync', site(id % 7), undefined, id);
    for (const id of [1, 1024, 1025, 5000]) assert.deepStrictEqual(t.get(id), job(id, { pool: id % 3, site: site(id % 7), submitted: id, tasks: [] }));
  });
});
