import assert from 'node:assert/strict';
import { RecordStream, MAIN, at } from '../recordStream';
import { blockingCallback } from '../scenarios';
import { findings } from './findings';

const W1 = 2;

/** A task whose argument held a class instance (told by main) and whose result was one (told by its worker). */
function reshaped() {
  const s = new RecordStream();
  s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0);
  s.pool(0, 'ThreadPool', { ms: 0, size: 1, site: at(8) });
  const { task } = s.submit(0, { ms: 1, api: 'apply', site: at(10, 5), fn: 'renew', fnSite: at(2, 17) });
  s.reshaped(MAIN, 1, task, 'argument 1 was an instance of Account at .owner');
  s.start(W1, task, 2).reshaped(W1, 3, task, 'the result was an instance of Account').end(W1, task, 3);
  return { store: s.build({ endMs: 10 }) };
}

const GONE = "a plain object: its class, #private fields and getters are gone (Python's pickle would have kept them, or failed)";

describe('class-lost', () => {
  it('puts an argument on the call that sent it and a result on the task function, each naming the other', () => {
    const [arg, result, ...more] = findings(reshaped(), 'class-lost');
    assert.equal(more.length, 0);
    assert.equal(arg.severity, 'warning');
    assert.equal(arg.message, `argument 1 of apply() was an instance of Account at .owner; it arrived in the task as ${GONE}`);
    assert.deepEqual(arg.site, at(10, 5));
    assert.deepEqual(arg.related, [{ message: 'task function `renew` is defined here', site: at(2, 17) }]);
    assert.equal(result.message, `the result of task \`renew\` was an instance of Account; it arrived in main as ${GONE}`);
    assert.deepEqual(result.site, at(2, 17));
    assert.deepEqual(result.related, [{ message: 'the apply() call that submitted the task', site: at(10, 5) }]);
    assert.deepEqual(arg.spans, result.spans);
  });

  it('stays quiet when every value was plain', () => {
    assert.deepEqual(findings(blockingCallback(), 'class-lost'), []);
  });
});
