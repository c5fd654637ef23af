// Shifting a source map for inserted text: each mapped position moves right on its own line by
// what was inserted at or before it, and nothing else about it changes.
import assert from 'node:assert/strict';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { shiftMappings } from '../../../src/runtime/compile/shiftMap';

describe('source map shift', () => {
  const original: SourceMapSegment[][] = [
    [],
    [
      [0, 0, 3, 0],
      [4, 0, 3, 6],
      [9, 0, 3, 11, 0],
      [20, 0, 4, 2],
    ],
    [
      [2, 0, 5, 2],
      [7, 0, 5, 9],
    ],
    [[0, 0, 6, 0]],
  ];

  it('moves the segments at and after each insertion on its line, by all inserted before them', () => {
    const shifted = decode(
      shiftMappings(encode(original), [
        { line: 1, col: 9, length: 2 },
        { line: 1, col: 4, length: 10 },
        { line: 1, col: 4, length: 1 },
        { line: 2, col: 5, length: 3 },
        { line: 0, col: 0, length: 7 },
      ]),
    );
    assert.deepEqual(shifted, [
      [],
      [
        [0, 0, 3, 0],
        [15, 0, 3, 6],
        [22, 0, 3, 11, 0],
        [33, 0, 4, 2],
      ],
      [
        [2, 0, 5, 2],
        [10, 0, 5, 9],
      ],
      [[0, 0, 6, 0]],
    ]);
  });

  it('leaves the mappings as they were when nothing was inserted', () => {
    assert.equal(shiftMappings(encode(original), []), encode(original));
  });
});
