// How a task travels through the queue. Most tasks take no arguments or a few plain
// numbers and strings; those skip the structured-clone serializer (several µs a call) and
// travel as JSON. Everything else goes through v8's serializer, which is structured clone.
//
// Layout (little-endian): u32 fnId | u8 args kind | u8 mode | u16 url bytes | u16 name bytes | url | name | args
// The function travels both as its id and as its module url and export name: a worker that
// has met the function reads only the id; one that has not resolves it by name. Everything
// before the arguments depends only on (function, mode), so main encodes it once.
import * as v8 from 'node:v8';
import type { TaskSink } from './taskQueue';
import type { FnRef } from './taskRegistry';

const ARGS_NONE = 0;
const ARGS_JSON = 1;
const ARGS_V8 = 2;
const FN_ID = 0;
const KIND = 4;
const MODE = 5;
const URL_BYTES = 6;
const NAME_BYTES = 8;
const HEAD = 10;

/** Encoded heads by function id, then mode: a task without arguments is its head alone. */
const heads: Buffer[][] = [];
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

function encodeHead(fn: FnRef, mode: number): Buffer {
  const url = Buffer.from(fn.url, 'utf8');
  const name = Buffer.from(fn.name, 'utf8');
  const head = Buffer.alloc(HEAD + url.length + name.length);
  head.writeUInt32LE(fn.id, FN_ID);
  head[KIND] = ARGS_NONE;
  head[MODE] = mode;
  head.writeUInt16LE(url.length, URL_BYTES);
  head.writeUInt16LE(name.length, NAME_BYTES);
  head.set(url, HEAD);
  head.set(name, HEAD + url.length);
  return head;
}

function headOf(fn: FnRef, mode: number): Buffer {
  const byMode = (heads[fn.id] ??= []);
  return (byMode[mode] ??= encodeHead(fn, mode));
}

/**
 * The encoded task: valid until the next call, and not to be modified (a task without
 * arguments is a cached head). Throws DataCloneError for uncloneable arguments.
 */
export function encodeTask(fn: FnRef, mode: number, args: readonly unknown[]): Uint8Array {
  const head = headOf(fn, mode);
  if (args.length === 0) return head;
  const kind = plain(args) ? ARGS_JSON : ARGS_V8;
  const body = kind === ARGS_JSON ? JSON.stringify(args) : v8.serialize(args);
  const max = head.length + (typeof body === 'string' ? body.length * 3 : body.length);
  if (max > scratch.length) scratch = Buffer.allocUnsafe(max * 2);
  scratch.set(head, 0);
  scratch[KIND] = kind;
  let end = head.length;
  if (typeof body === 'string') end += scratch.write(body, end, 'utf8');
  else {
    scratch.set(body, end);
    end += body.length;
  }
  return scratch.subarray(0, end);
}

const NO_ARGS = Object.freeze([]) as unknown as unknown[];

/**
 * Decodes the tasks a worker takes, in place in the queue's shared memory. A worker keeps one
 * and the queue refills it for every task, so taking a task without arguments allocates nothing.
 */
export class TaskDecoder implements TaskSink {
  taskId = 0;
  fnId = 0;
  mode = 0;
  /** The function's module url and export name; decoded only when `known(fnId)` is false, '' otherwise. */
  url = '';
  name = '';
  private kind = ARGS_NONE;
  private json = '';
  private serialized: Buffer | undefined;

  constructor(private readonly known: (fnId: number) => boolean) {}

  accept(taskId: number, bytes: Buffer, start: number, end: number): void {
    this.taskId = taskId;
    this.fnId = bytes.readUInt32LE(start + FN_ID);
    this.kind = bytes[start + KIND];
    this.mode = bytes[start + MODE];
    const urlEnd = start + HEAD + bytes.readUInt16LE(start + URL_BYTES);
    const argsStart = urlEnd + bytes.readUInt16LE(start + NAME_BYTES);
    const fresh = !this.known(this.fnId);
    this.url = fresh ? bytes.toString('utf8', start + HEAD, urlEnd) : '';
    this.name = fresh ? bytes.toString('utf8', urlEnd, argsStart) : '';
    // Main may overwrite the record as soon as this returns: the arguments are copied out
    // now, and parsed later (args), outside the queue's lock.
    if (this.kind === ARGS_JSON) this.json = bytes.toString('utf8', argsStart, end);
    else if (this.kind === ARGS_V8) {
      this.serialized = Buffer.allocUnsafe(end - argsStart);
      bytes.copy(this.serialized, 0, argsStart, end);
    }
  }

  /** The last accepted task's arguments; call once per task. */
  args(): unknown[] {
    if (this.kind === ARGS_NONE) return NO_ARGS;
    if (this.kind === ARGS_JSON) {
      const json = this.json;
      this.json = '';
      return JSON.parse(json) as unknown[];
    }
    const serialized = this.serialized!;
    this.serialized = undefined;
    return v8.deserialize(serialized) as unknown[];
  }
}
