// The counter tracks' times are sorted by merging the ascending runs they come in, lane by lane
// (src/webview/lod.ts): the result must be the engine's own sort, whatever the input.
import assert from 'node:assert/strict';
import { sortRuns } from '../../../src/webview/lod';

const engine = (a: Float64Array) => Array.from(a.slice().sort());

describe('sortRuns', () => {
  const inputs: Record<string, number[]> = {
    empty: [],
    one: [4],
    sorted: [1, 2, 2, 3],
    'two interleaved lanes': [0, 10, 20, 30, 5, 15, 25, 35],
    'three runs of uneven length': [7, 8, 9, 1, 2, 3, 4, 5, 6, 0],
    'more runs than it merges': Array.from({ length: 500 }, (_, i) => (i * 7919) % 499),
    'with NaN': [3, NaN, 1, 2],
    'negatives and ties': [0, -1, 5, 5, 2, -3],
  };
  for (const [name, values] of Object.entries(inputs)) {
    it(`sorts ${name} as the engine does`, () => {
      const a = Float64Array.from(values);
      const want = engine(a);
      assert.deepEqual(Array.from(sortRuns(a)), want);
    });
  }
});
