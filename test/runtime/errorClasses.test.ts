// Errors thrown in tasks keep their class, name and plain fields on the way to main.
import assert from 'node:assert/strict';
import { assertCheck, runFixture, type Run } from './helpers';

describe('task errors crossing threads', function () {
  let run: Run;
  before(async () => {
    run = await runFixture('error-classes.ts');
  });

  it('the run completed every check', () => assert.equal(run.outcome, 'returned', run.error?.stack ?? run.error?.message));
  it('a ValueError thrown in a task is a ValueError in main, with its stack', () => assertCheck(run, 'poolscope error class'));
  it('a TypeError stays a TypeError', () => assertCheck(run, 'built-in error class'));
  it("a user's error class keeps its name and fields, and is the same object on every read", () => assertCheck(run, 'user error class: name and plain fields kept'));
  it('the trace shows the task failed with that error', () => {
    const custom = run.spans.find((s) => s.kind === 'task' && s.name === 'raiseCustom');
    assert.equal(custom?.status, 'error');
    assert.equal(custom?.text, 'ParseError: bad input');
  });
});
