import assert from 'node:assert/strict';
import { stackSite } from '../../../src/trace/stacks';

describe('stackSite', () => {
  it("finds the innermost frame of the user's, past Node's own and installed packages", () => {
    const stack = [
      'Error: lost',
      '    at Object.reject (node:internal/promises:1:1)',
      '    at wrap (/home/dev/app/node_modules/lib/index.js:4:2)',
      '    at t (/home/dev/app/tasks.ts:3:18)',
      '    at /home/dev/app/main.ts:9:1',
    ].join('\n');
    assert.deepEqual(stackSite(stack), { file: '/home/dev/app/tasks.ts', line: 3, col: 18 });
  });

  it('reads file URLs as the paths terminals and editors open (no percent-encoding)', () => {
    assert.deepEqual(stackSite('Error\n    at t (file:///home/dev/dir%20with%20space/t%C3%A2che.ts:2:17)'), { file: '/home/dev/dir with space/tâche.ts', line: 2, col: 17 });
  });

  it('gives nothing for a stack without such a frame, or no stack', () => {
    assert.equal(stackSite('Error: x\n    at new Promise (<anonymous>)\n    at node:internal/x:1:1'), undefined);
    assert.equal(stackSite(undefined), undefined);
    assert.equal(stackSite('just a message'), undefined);
  });
});
