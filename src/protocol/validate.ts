// The checks of what crosses between the extension host and the webview, with the field readers
// every untrusted input is read with (trace/fields.ts). What the webview posts is untrusted: a
// message either matches one ViewMessage shape exactly or is rejected with a reason naming the
// field. What reaches the webview is checked for its envelope before the view acts on it.
import { Fields, type Complaint } from '../trace/fields';
import { PROTOCOL_VERSION, type HostEnvelope, type ViewEnvelope, type ViewMessage } from './messages';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

class MessageError extends Error {}
const complain: Complaint = (text) => new MessageError(text);
const MAX_PATH = 4096;

/** The view's message types: a Record over the union, so the list stays complete. */
const VIEW_TYPES: Record<ViewMessage['type'], true> = { ready: true, resync: true, openSource: true, exportTrace: true, openTrace: true, applied: true, loadWindow: true };

function checkSite(f: Fields): void {
  f.only(['file', 'line', 'col']);
  const file = f.str('file');
  if (file.length === 0 || file.length > MAX_PATH || file.includes('\0')) f.fail('file', 'a path', file);
  f.int('line', 1, Number.MAX_SAFE_INTEGER);
  f.int('col', 1, Number.MAX_SAFE_INTEGER);
}

function checkMessage(m: Fields): void {
  const type = m.oneOf('type', VIEW_TYPES);
  switch (type) {
    case 'ready':
      m.only(['type', 'lastSeq']).count('lastSeq');
      return;
    case 'resync':
      m.only(['type', 'expected', 'got']).count('expected');
      m.count('got');
      return;
    case 'openSource':
      m.only(['type', 'site']);
      checkSite(m.obj('site'));
      return;
    case 'exportTrace':
    case 'openTrace':
      m.only(['type']);
      return;
    case 'applied':
      m.only(['type', 'spans', 'lanes', 'seq']);
      for (const k of ['spans', 'lanes', 'seq']) m.count(k);
      return;
    case 'loadWindow': {
      m.only(['type', 'from', 'to']);
      const from = m.num('from');
      if (m.num('to') <= from) m.fail('to', `a time after from (${from})`, m.o.to);
      return;
    }
  }
}

function checked<T>(read: () => T): Checked<T> {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    if (e instanceof MessageError) return { ok: false, error: e.message };
    throw e;
  }
}

function envelope(data: unknown, seqKey: 'id' | 'seq'): Fields {
  const env = Fields.of(data, 'message', complain).only(['v', seqKey, 'msg']);
  if (env.o.v !== PROTOCOL_VERSION) env.fail('v', `protocol version ${PROTOCOL_VERSION}`, env.o.v);
  env.count(seqKey);
  return env;
}

/** A message from the webview, checked in full. */
export function checkViewEnvelope(data: unknown): Checked<ViewEnvelope> {
  return checked(() => {
    const env = envelope(data, 'id');
    checkMessage(env.obj('msg'));
    return data as ViewEnvelope;
  });
}

/** A message from the host: its envelope (version, sequence number, a typed message). */
export function checkHostEnvelope(data: unknown): Checked<HostEnvelope> {
  return checked(() => {
    envelope(data, 'seq').obj('msg').str('type');
    return data as HostEnvelope;
  });
}
