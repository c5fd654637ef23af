// How a task travels through the queue. Most tasks take no arguments or a few plain
// numbers and strings; those skip the structured-clone serializer (several µs a call) and
// travel as JSON. Everything else goes through v8's serializer, which is structured clone.
import * as v8 from 'node:v8';

const ARGS_NONE = 0;
const ARGS_JSON = 1;
const ARGS_V8 = 2;
const HEAD = 6;

let scratch = Buffer.allocUnsafe(64 * 1024);

function plain(args: readonly unknown[]): boolean {
  for (const a of args) {
    const t = typeof a;
    if (t === 'string' || t === 'boolean' || a === null) continue;
    // JSON would lose -0, NaN and the infinities.
    if (t === 'number' && Number.isFinite(a) && !Object.is(a, -0)) continue;
    return false;
  }
  return true;
}

/** The encoded task; a view of a scratch buffer, valid until the next call. Throws DataCloneError for uncloneable arguments. */
export function encodeTask(url: string, name: string, mode: number, args: readonly unknown[]): Uint8Array {
  let kind = ARGS_NONE;
  let body: Uint8Array | string | undefined;
  if (args.length > 0) {
    kind = plain(args) ? ARGS_JSON : ARGS_V8;
    body = kind === ARGS_JSON ? JSON.stringify(args) : v8.serialize(args);
  }
  const max = HEAD + (url.length + name.length) * 3 + (typeof body === 'string' ? body.length * 3 : (body?.length ?? 0));
  if (max > scratch.length) scratch = Buffer.allocUnsafe(max * 2);
  const urlLen = scratch.write(url, HEAD, 'utf8');
  const nameLen = scratch.write(name, HEAD + urlLen, 'utf8');
  let end = HEAD + urlLen + nameLen;
  if (typeof body === 'string') end += scratch.write(body, end, 'utf8');
  else if (body) {
    scratch.set(body, end);
    end += body.length;
  }
  scratch[0] = kind;
  scratch[1] = mode;
  scratch.writeUInt16LE(urlLen, 2);
  scratch.writeUInt16LE(nameLen, 4);
  return scratch.subarray(0, end);
}

export interface DecodedTask {
  url: string;
  name: string;
  mode: number;
  args: unknown[];
}

export function decodeTask(bytes: Uint8Array): DecodedTask {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const urlLen = b.readUInt16LE(2);
  const nameLen = b.readUInt16LE(4);
  const start = HEAD + urlLen + nameLen;
  const kind = b[0];
  return {
    url: b.toString('utf8', HEAD, HEAD + urlLen),
    name: b.toString('utf8', HEAD + urlLen, start),
    mode: b[1],
    args: kind === ARGS_NONE ? [] : kind === ARGS_JSON ? JSON.parse(b.toString('utf8', start)) : (v8.deserialize(b.subarray(start)) as unknown[]),
  };
}
