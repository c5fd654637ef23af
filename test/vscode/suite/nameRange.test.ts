import * as assert from 'node:assert/strict';
import { nameRange } from '../../../src/extension/nameRange';

/** The text a diagnostic squiggles when the trace puts a site at `col0` of `line`. */
const squiggled = (line: string, col0: number) => line.slice(...nameRange(line, col0));

describe('where a finding is squiggled', () => {
  it('marks the name of a function whatever part of its head the site points at', () => {
    const decl = 'export async function connect(url: string): Promise<void> {';
    for (const col of [0, decl.indexOf('async'), decl.indexOf('function'), decl.indexOf('connect'), decl.indexOf('(')]) {
      assert.equal(squiggled(decl, col), 'connect', `site at column ${col}`);
    }
    assert.equal(squiggled('      callback: function slowHandler(value) {', 16), 'slowHandler');
  });

  it('marks the name of a Python function or class, and the call at a Python waiting line', () => {
    assert.equal(squiggled('def on_result(user):', 0), 'on_result');
    assert.equal(squiggled('    async def fetch(url):', 4), 'fetch');
    assert.equal(squiggled('class Crawler(Thread):', 0), 'Crawler');
    const wait = '    print(result.get())';
    assert.equal(squiggled(wait, wait.indexOf('result')), 'result');
  });

  it('marks the name an anonymous function is bound to', () => {
    assert.equal(squiggled('  const onDone = (v) => {', 17), 'onDone');
    assert.equal(squiggled('    errorCallback: async (e) => {', 19), 'errorCallback');
  });

  it('marks the called function at a waiting line', () => {
    const line = '  console.log(await second.get()); // never returns';
    assert.equal(squiggled(line, line.indexOf('get')), 'get');
    assert.equal(squiggled('  sleepSync(300);', 2), 'sleepSync');
  });

  it('never gives an empty range', () => {
    for (const [line, col] of [
      ['', 0],
      ['  })', 3],
      ['x', 5],
    ] as const) {
      const [start, end] = nameRange(line, col);
      assert.ok(end > start, `${JSON.stringify(line)} at ${col}`);
    }
  });
});
