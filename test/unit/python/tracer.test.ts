// The Python tracer's own suite (python/tests, standard-library unittest) run with the machine's
// python3, and the one contract the two sides share: the record codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CallbackKind, CallbackStatus, LaneKindCode, MainStatus, PoolAction, Rec, TASK_JOB_POOLS, TaskStatus, WaitOutcome, WorkerAction } from '../../../src/trace/records';

const ROOT = resolve(__dirname, '../../..');
const PYTHON = process.env.POOLSCOPE_TEST_PYTHON ?? 'python3';

/** NAME = number lines of the tracer's records.py. */
function pythonConstants(): Map<string, number> {
  const source = readFileSync(resolve(ROOT, 'python/poolscope_tracer/records.py'), 'utf8');
  return new Map([...source.matchAll(/^([A-Z][A-Z0-9_]*) = (-?\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

describe('Python tracer', function () {
  this.timeout(600_000);

  it('writes the record types and codes of src/trace/records.ts', () => {
    const py = pythonConstants();
    const expect = (name: string, value: number) => assert.equal(py.get(name), value, `records.py ${name}`);
    for (const [name, value] of Object.entries(Rec)) expect(name, value);
    expect('TASK_JOB_POOLS', TASK_JOB_POOLS);
    for (const [name, value] of Object.entries(LaneKindCode)) expect(`LANE_${name.toUpperCase()}`, value);
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    for (const [name, value] of Object.entries(PoolAction)) expect(`POOL_${snake(name)}`, value);
    for (const [name, value] of Object.entries(TaskStatus)) expect(name.toUpperCase(), value);
    for (const [name, value] of Object.entries(CallbackKind)) expect(`CB_${name.toUpperCase()}`, value);
    expect('CB_OK', CallbackStatus.ok);
    expect('CB_THREW', CallbackStatus.threw);
    for (const [name, value] of Object.entries(WaitOutcome)) expect(`WAIT_${name.toUpperCase()}`, value);
    for (const [name, value] of Object.entries(WorkerAction)) expect(`WORKER_${name.toUpperCase()}`, value);
    for (const [name, value] of Object.entries(MainStatus)) expect(`MAIN_${name.toUpperCase()}`, value);
  });

  it(`passes its unittest suite (python/tests) with ${PYTHON}`, () => {
    const r = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', 'python/tests'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.error, undefined, `${PYTHON} could not run: ${r.error}`);
    assert.equal(r.status, 0, `python/tests failed:\n${r.stderr}`);
  });
});
