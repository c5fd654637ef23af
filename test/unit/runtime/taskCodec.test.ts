// Tasks through the codec and the queue, as main pushes them and a worker takes them: the
// decoder reads the function's id always and its url and name only when the worker has not met
// it, and the arguments it hands back must not depend on queue memory main may reuse.
import assert from 'node:assert/strict';
import { encodeTask, TaskDecoder } from '../../../src/runtime/dispatch/taskCodec';
import { createTaskQueueBuffer, TaskQueue } from '../../../src/runtime/dispatch/taskQueue';
import type { FnRef } from '../../../src/runtime/dispatch/taskRegistry';

const add: FnRef = { url: 'file:///tmp/tasks/ünïcode.mjs', name: 'add', id: 7 };
const other: FnRef = { url: 'file:///tmp/tasks/b.mjs', name: 'double', id: 8 };

function setup(dataBytes = 64 * 1024) {
  const queue = new TaskQueue(createTaskQueueBuffer(dataBytes));
  const known = new Set<number>();
  const decoder = new TaskDecoder((id) => known.has(id));
  const roundTrip = (taskId: number, fn: FnRef, mode: number, args: unknown[]) => {
    queue.push(taskId, encodeTask(fn, mode, args));
    assert.ok(queue.take(decoder), 'the task was taken');
    return { taskId: decoder.taskId, fnId: decoder.fnId, mode: decoder.mode, url: decoder.url, name: decoder.name, args: decoder.args() };
  };
  return { queue, known, decoder, roundTrip };
}

describe('task codec', () => {
  it('carries the function id, mode and name, with no arguments, JSON arguments or structured-clone arguments', () => {
    const { roundTrip } = setup();
    assert.deepEqual(roundTrip(1, add, 0, []), { taskId: 1, fnId: 7, mode: 0, url: add.url, name: 'add', args: [] });
    assert.deepEqual(roundTrip(2, add, 2, [[1, 'two'], null, true]), { taskId: 2, fnId: 7, mode: 2, url: add.url, name: 'add', args: [[1, 'two'], null, true] });
    const cloned = [-0, NaN, Infinity, 3n, new Map([['k', new Date(5)]]), undefined];
    assert.deepEqual(roundTrip(3, other, 1, cloned), { taskId: 3, fnId: 8, mode: 1, url: other.url, name: 'double', args: cloned });
  });

  it('leaves the url and name undecoded for a function the worker has already', () => {
    const { known, roundTrip } = setup();
    known.add(add.id);
    assert.deepEqual(roundTrip(1, add, 0, [4]), { taskId: 1, fnId: 7, mode: 0, url: '', name: '', args: [4] });
    assert.equal(roundTrip(2, other, 0, []).name, 'double');
  });

  it('keeps the cached head of a task without arguments intact when the same function is encoded with arguments', () => {
    const { roundTrip } = setup();
    roundTrip(1, add, 1, [1, 2]);
    assert.deepEqual(roundTrip(2, add, 1, []).args, []);
    assert.deepEqual(roundTrip(3, add, 0, []).mode, 0);
  });

  it('copies the arguments out before main may overwrite the record', () => {
    // A ring of 128 bytes holds the first two of these records (64 and 56 bytes); each later
    // push reuses the space of the record taken just before it.
    const { queue, decoder } = setup(128);
    const fn: FnRef = { url: 'file:///t.mjs', name: 'f', id: 0 };
    const overwritten: (() => boolean)[] = [];
    const spy = {
      accept(taskId: number, bytes: Buffer, start: number, end: number) {
        const copy = Buffer.from(bytes.subarray(start, end));
        overwritten.push(() => !copy.equals(bytes.subarray(start, end)));
        decoder.accept(taskId, bytes, start, end);
      },
    };
    queue.push(1, encodeTask(fn, 0, [1n, 'a']));
    queue.push(2, encodeTask(fn, 0, ['b', 'c']));
    assert.ok(queue.take(spy));
    queue.push(3, encodeTask(fn, 0, [9n, 'z']));
    assert.ok(overwritten[0](), 'the test did not overwrite the first record');
    assert.deepEqual(decoder.args(), [1n, 'a']);
    assert.ok(queue.take(spy));
    queue.push(4, encodeTask(fn, 0, ['y', 'z']));
    assert.ok(overwritten[1](), 'the test did not overwrite the second record');
    assert.deepEqual(decoder.args(), ['b', 'c']);
  });
});
