// The per-thread trace ring: records come out whole and in order across the wrap-around, and a
// writer that cannot get room drops records and counts them rather than blocking forever.
import assert from 'node:assert/strict';
import { createRingBuffer, RingReader, RingWriter } from '../../../src/runtime/record/eventRing';
import type { RawRecord } from '../../../src/trace/records';

const copy = (r: RawRecord): RawRecord => ({ ...r });

describe('event ring', () => {
  it('hands back every record, fields and text intact, across many wrap-arounds', () => {
    const sab = createRingBuffer(1024);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    const got: RawRecord[] = [];
    for (let i = 0; i < 500; i++) {
      writer.write(7, i % 300, i * 1.5, i, -(i + 1), 3, 4, 5, 6, i % 3 === 0 ? undefined : `line ${i} — ünïcode`);
      if (i % 5 === 4) reader.drain((r) => got.push(copy(r)));
    }
    reader.drain((r) => got.push(copy(r)));
    assert.equal(got.length, 500);
    got.forEach((r, i) => {
      assert.deepEqual(r, { type: 7, lane: i % 300, ts: i * 1.5, a: i, b: -(i + 1), c: 3, d: 4, e: 5, f: 6, text: i % 3 === 0 ? undefined : `line ${i} — ünïcode` });
    });
    assert.equal(reader.dropped, 0);
  });

  it('reads at most `max` records per call, the rest on the next', () => {
    const sab = createRingBuffer(4096);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    for (let i = 0; i < 10; i++) writer.write(1, 0, i);
    const first: number[] = [];
    assert.equal(
      reader.drain((r) => first.push(r.ts), 4),
      4,
    );
    const rest: number[] = [];
    reader.drain((r) => rest.push(r.ts));
    assert.deepEqual([...first, ...rest], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('drops and counts what does not fit when the reader never makes room', () => {
    const sab = createRingBuffer(256);
    let waits = 0;
    const writer = new RingWriter(sab, () => void waits++);
    const reader = new RingReader(sab);
    for (let i = 0; i < 20; i++) writer.write(1, 0, i);
    assert.ok(waits > 0, 'the writer waited for room before giving up');
    const kept: number[] = [];
    reader.drain((r) => kept.push(r.ts));
    assert.deepEqual(
      kept,
      kept.map((_, i) => i),
      'what was kept is the oldest, in order',
    );
    assert.equal(kept.length + reader.dropped, 20);
    assert.ok(reader.dropped > 0);
  });
});
