// What the inspector webview posts is untrusted: a message not exactly of the protocol is
// logged, with the reason, and reaches no handler; a valid one reaches only its own.
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages';
import { receiveViewMessage, type ViewHandlers } from '../../../src/extension/viewInbox';

function inbox() {
  const called: string[] = [];
  const logged: string[] = [];
  const handler = (name: string) => (m: unknown) => void called.push(`${name} ${JSON.stringify(m)}`);
  const handlers: ViewHandlers = {
    ready: handler('ready'),
    resync: handler('resync'),
    openSource: handler('openSource'),
    exportTrace: handler('exportTrace'),
    openTrace: handler('openTrace'),
    applied: handler('applied'),
    loadWindow: handler('loadWindow'),
  };
  return { called, logged, take: (raw: unknown) => receiveViewMessage(raw, handlers, (t) => logged.push(t)) };
}

describe('messages from the inspector webview', () => {
  it('an invalid message is logged with its reason and ignored', () => {
    const box = inbox();
    const bad: [unknown, RegExp][] = [
      ['openSource /etc/passwd', /message must be an object/],
      [{ v: PROTOCOL_VERSION + 1, id: 1, msg: { type: 'exportTrace' } }, /message\.v must be protocol version 1 \(got 2\)/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: 'runCommand', command: 'workbench.action.terminal.new' } }, /message\.msg\.type must be one of ready, .* \(got "runCommand"\)/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: 'openSource', site: { file: '/etc/passwd', line: 1, col: 1 }, then: 'x' } }, /unexpected field 'then'/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: 'openSource', site: { file: '/a\0b', line: 1, col: 1 } } }, /site\.file must be a path/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: 'applied', spans: -1, lanes: 2, seq: 3 } }, /message\.msg\.spans must be an integer from 0/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: '__proto__' } }, /message\.msg\.type must be one of .* \(got "__proto__"\)/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: 'loadWindow', from: 5, to: 5 } }, /message\.msg\.to must be a time after from \(5\) \(got 5\)/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: 'loadWindow', from: '0', to: 5 } }, /message\.msg\.from must be a finite number \(got "0"\)/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: 'loadWindow', from: 0, to: Infinity } }, /message\.msg\.to must be a finite number \(got Infinity\)/],
      [{ v: PROTOCOL_VERSION, id: 1, msg: { type: 'loadWindow', from: 0, to: 5, path: '/etc/passwd' } }, /unexpected field 'path'/],
    ];
    for (const [raw] of bad) assert.equal(box.take(raw), false, JSON.stringify(raw));
    assert.deepEqual(box.called, []);
    assert.equal(box.logged.length, bad.length);
    box.logged.forEach((line, i) => {
      assert.match(line, /^poolscope inspector: ignored a message from the webview: /);
      assert.match(line, bad[i][1]);
    });
  });

  it('a valid message reaches its own handler only', () => {
    const box = inbox();
    assert.equal(box.take({ v: PROTOCOL_VERSION, id: 7, msg: { type: 'openSource', site: { file: '/w/a.ts', line: 3, col: 2 } } }), true);
    assert.deepEqual(box.called, ['openSource {"type":"openSource","site":{"file":"/w/a.ts","line":3,"col":2}}']);
    assert.equal(box.take({ v: PROTOCOL_VERSION, id: 8, msg: { type: 'loadWindow', from: -12.5, to: 1e6 } }), true);
    assert.deepEqual(box.called.slice(1), ['loadWindow {"type":"loadWindow","from":-12.5,"to":1000000}']);
    assert.deepEqual(box.logged, []);
  });
});
