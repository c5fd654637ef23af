// The host's check of everything the webview posts: the webview is untrusted input, so a
// message either matches one ViewMessage shape exactly or is rejected with a reason.
import { PROTOCOL_VERSION, type ViewEnvelope, type ViewMessage } from './messages';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
const MAX_PATH = 4096;

function onlyKeys(o: Obj, keys: string[]): string | undefined {
  const extra = Object.keys(o).find((k) => !keys.includes(k));
  return extra === undefined ? undefined : `unexpected field '${extra}'`;
}

function checkSite(v: unknown): string | undefined {
  if (!isObj(v)) return 'site must be an object';
  const extra = onlyKeys(v, ['file', 'line', 'col']);
  if (extra) return `site: ${extra}`;
  if (typeof v.file !== 'string' || v.file.length === 0 || v.file.length > MAX_PATH || v.file.includes('\0')) return 'site.file must be a path';
  if (!isCount(v.line) || v.line < 1) return 'site.line must be a positive integer';
  if (!isCount(v.col) || v.col < 1) return 'site.col must be a positive integer';
  return undefined;
}

function checkMessage(m: unknown): string | undefined {
  if (!isObj(m)) return 'msg must be an object';
  switch (m.type) {
    case 'ready':
      return onlyKeys(m, ['type', 'lastSeq']) ?? (isCount(m.lastSeq) ? undefined : 'ready.lastSeq must be a count');
    case 'resync':
      return onlyKeys(m, ['type', 'expected', 'got']) ?? (isCount(m.expected) && isCount(m.got) ? undefined : 'resync needs expected and got counts');
    case 'openSource':
      return onlyKeys(m, ['type', 'site']) ?? checkSite(m.site);
    case 'exportTrace':
    case 'openTrace':
      return onlyKeys(m, ['type']);
    case 'applied':
      return onlyKeys(m, ['type', 'spans', 'lanes', 'seq']) ?? (isCount(m.spans) && isCount(m.lanes) && isCount(m.seq) ? undefined : 'applied needs counts');
    default:
      return `unknown message type ${JSON.stringify(String(m.type)).slice(0, 40)}`;
  }
}

export function checkViewEnvelope(data: unknown): Checked<ViewEnvelope> {
  if (!isObj(data)) return { ok: false, error: 'message must be an object' };
  const extra = onlyKeys(data, ['v', 'id', 'msg']);
  if (extra) return { ok: false, error: extra };
  if (data.v !== PROTOCOL_VERSION) return { ok: false, error: `protocol version must be ${PROTOCOL_VERSION}` };
  if (!isCount(data.id)) return { ok: false, error: 'id must be a count' };
  const err = checkMessage(data.msg);
  if (err) return { ok: false, error: err };
  return { ok: true, value: { v: PROTOCOL_VERSION, id: data.id, msg: data.msg as ViewMessage } };
}
