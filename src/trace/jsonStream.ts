// Reads one JSON document from chunks of bytes without ever holding it whole, so a trace file of
// any size opens in bounded memory and a hostile one (junk, huge strings, deep nesting) fails
// fast with its place named. Containers the caller walks into are read key by key and item by
// item; every other value is cut out as bytes and parsed alone. The items of a walked array are
// cut out in batches of about BATCH_BYTES and parsed with one JSON.parse per batch.
import { TraceFormatError } from './chromeTraceCheck';

export type JsonPath = readonly (string | number)[];

export interface JsonLimits {
  /** the largest single value read whole, in bytes */
  maxValueBytes: number;
  /** the deepest nesting of arrays and objects */
  maxDepth: number;
}

export const DEFAULT_LIMITS: JsonLimits = { maxValueBytes: 64 * 1024 * 1024, maxDepth: 64 };

export interface JsonVisitor {
  /**
   * Whether to walk into the object or array at `path` (its members then arrive one by one). The
   * items of a walked array that is not walked into itself are read in batches, each read whole.
   */
  walk(path: JsonPath, kind: 'object' | 'array'): boolean;
  /** A value read whole: a member of a walked container. */
  value(path: JsonPath, v: unknown): void;
  /** A walked container at `path` ended. */
  leave?(path: JsonPath, kind: 'object' | 'array'): void;
}

const BATCH_BYTES = 1 << 20;
/** What a number, true, false or null can start with. */
const BARE_START = '-0123456789tfn';
/** No number or literal is longer: junk that looks like one fails here rather than at the size limit. */
const BARE_BYTES = 1024;
const enum B {
  Quote = 0x22,
  Backslash = 0x5c,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenObj = 0x7b,
  CloseObj = 0x7d,
  OpenArr = 0x5b,
  CloseArr = 0x5d,
  Space = 0x20,
  Tab = 0x09,
  Lf = 0x0a,
  Cr = 0x0d,
}

const isSpace = (c: number) => c === B.Space || c === B.Lf || c === B.Cr || c === B.Tab;

/** Where a walked container stands: what the next significant byte must be. */
interface Frame {
  kind: 'object' | 'array';
  path: JsonPath;
  /** object: the key just read; array: the next item's index */
  key: string | number;
  expect: 'first' | 'key' | 'colon' | 'value' | 'next';
}

/** A value (or a batch of a walked array's items) being cut out. */
interface Capture {
  parts: Uint8Array[];
  bytes: number;
  depth: number;
  inString: boolean;
  escaped: boolean;
  /** a number or literal: it ends at the first delimiter */
  bare: boolean;
  /** the path of its first item, and for a batch the walked array it belongs to */
  path: JsonPath;
  batch?: Frame;
  /** items in this batch so far (completed) */
  items: number;
  /** byte offset in the file where it began */
  at: number;
}

export class JsonStreamReader {
  private readonly stack: Frame[] = [];
  private cap: Capture | undefined;
  /** bytes of a key being read across chunks */
  private keyParts: Uint8Array[] | undefined;
  private keyEscaped = false;
  private offset = 0;
  private done = false;
  private started = false;

  constructor(
    private readonly visitor: JsonVisitor,
    private readonly what: string,
    private readonly limits: JsonLimits = DEFAULT_LIMITS,
  ) {}

  private fail(message: string, at: number): never {
    throw new TraceFormatError(`Invalid trace: ${message} (byte ${at} of ${this.what})`);
  }

  feed(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.cap) {
        i = this.scanCapture(chunk, i);
        continue;
      }
      if (this.keyParts) {
        i = this.scanKey(chunk, i);
        continue;
      }
      const c = chunk[i];
      if (isSpace(c)) {
        i++;
        continue;
      }
      const at = this.offset + i;
      if (this.done) this.fail('more text after the end of the document', at);
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        if (this.started) this.fail('more text after the end of the document', at);
        this.started = true;
        this.beginValue([], chunk, i, at, undefined);
        i = this.cap ? this.scanCapture(chunk, i) : i + 1;
        continue;
      }
      i = this.structural(top, chunk, i, c, at);
    }
    this.offset += n;
  }

  /** The input ended: the document must be complete. */
  end(): void {
    if (this.cap?.bare && this.cap.depth === 0) this.finishCapture();
    if (!this.started) this.fail('the file is empty', this.offset);
    if (this.cap || this.keyParts || this.stack.length) this.fail('the file ends in the middle of the document', this.offset);
  }

  private structural(top: Frame, chunk: Uint8Array, i: number, c: number, at: number): number {
    if (top.kind === 'object') {
      switch (top.expect) {
        case 'first':
        case 'key':
          if (c === B.CloseObj && top.expect === 'first') return this.close(i);
          if (c !== B.Quote) this.fail(`${describePath(top.path)} must be an object: expected a quoted key`, at);
          this.keyParts = [];
          this.keyEscaped = false;
          return this.scanKey(chunk, i + 1);
        case 'colon':
          if (c !== B.Colon) this.fail(`expected ':' after key ${JSON.stringify(top.key)} in ${describePath(top.path)}`, at);
          top.expect = 'value';
          return i + 1;
        case 'value':
          top.expect = 'next';
          this.beginValue([...top.path, top.key], chunk, i, at, undefined);
          return this.cap ? this.scanCapture(chunk, i) : i + 1;
        case 'next':
          if (c === B.CloseObj) return this.close(i);
          if (c !== B.Comma) this.fail(`expected ',' or '}' in ${describePath(top.path)}`, at);
          top.expect = 'key';
          return i + 1;
      }
    }
    switch (top.expect) {
      case 'first':
      case 'value':
        if (c === B.CloseArr && top.expect === 'first') return this.close(i);
        top.expect = 'next';
        this.beginValue([...top.path, top.key], chunk, i, at, top);
        return this.cap ? this.scanCapture(chunk, i) : i + 1;
      default:
        if (c === B.CloseArr) return this.close(i);
        if (c !== B.Comma) this.fail(`expected ',' or ']' in ${describePath(top.path)}`, at);
        top.expect = 'value';
        (top.key as number)++;
        return i + 1;
    }
  }

  private close(i: number): number {
    const f = this.stack.pop()!;
    this.visitor.leave?.(f.path, f.kind);
    if (this.stack.length === 0) this.done = true;
    return i + 1;
  }

  /** A value starts at chunk[i]: walk into it, or start cutting it out. */
  private beginValue(path: JsonPath, chunk: Uint8Array, i: number, at: number, array: Frame | undefined): void {
    const c = chunk[i];
    const kind = c === B.OpenObj ? 'object' : c === B.OpenArr ? 'array' : undefined;
    if (kind && this.stack.length < this.limits.maxDepth && this.visitor.walk(path, kind)) {
      this.stack.push({ kind, path, key: kind === 'array' ? 0 : '', expect: 'first' });
      // The opening byte is consumed by the caller's i + 1.
      return;
    }
    const bare = !kind && c !== B.Quote;
    if (bare && !BARE_START.includes(String.fromCharCode(c))) this.fail(`${describePath(path)} is not valid JSON`, at);
    this.cap = { parts: [], bytes: 0, depth: 0, inString: false, escaped: false, bare, path, batch: array, items: 0, at };
  }

  /** Scans a value being cut out from chunk[i]; returns where scanning stopped. */
  private scanCapture(chunk: Uint8Array, from: number): number {
    const cap = this.cap!;
    const n = chunk.length;
    let i = from;
    let depth = cap.depth,
      inString = cap.inString,
      escaped = cap.escaped;
    let ended = -1;
    for (; i < n; i++) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === B.Backslash) escaped = true;
        else if (c === B.Quote) {
          inString = false;
          if (depth === 0 && !cap.bare) {
            ended = i + 1;
            break;
          }
        }
        continue;
      }
      if (cap.bare) {
        if (isSpace(c) || c === B.Comma || c === B.CloseArr || c === B.CloseObj) {
          ended = i;
          break;
        }
        if (cap.bytes + i - from > BARE_BYTES) this.fail(`${describePath(cap.path)} is not valid JSON`, cap.at);
        continue;
      }
      if (c === B.Quote) inString = true;
      else if (c === B.OpenObj || c === B.OpenArr) {
        if (++depth + this.stack.length > this.limits.maxDepth) this.fail(`${describePath(cap.path)} is nested deeper than ${this.limits.maxDepth} levels`, this.offset + i);
      } else if (c === B.CloseObj || c === B.CloseArr) {
        if (--depth === 0) {
          ended = i + 1;
          break;
        }
        if (depth < 0) this.fail(`unbalanced '${String.fromCharCode(c)}' in ${describePath(cap.path)}`, this.offset + i);
      }
    }
    cap.depth = depth;
    cap.inString = inString;
    cap.escaped = escaped;
    const stop = ended < 0 ? n : ended;
    if (stop > from) {
      cap.parts.push(chunk.subarray(from, stop));
      cap.bytes += stop - from;
      if (cap.bytes > this.limits.maxValueBytes) {
        this.fail(`${describePath(cap.path)} is larger than ${Math.round(this.limits.maxValueBytes / (1 << 20))} MB`, cap.at);
      }
    }
    if (ended < 0) return n;
    cap.items++;
    if (cap.batch && cap.bytes < BATCH_BYTES) return this.continueBatch(chunk, stop);
    this.finishCapture();
    return stop;
  }

  /**
   * After an item of a walked array: if a comma and another item follow in this chunk, the next
   * item joins the batch. Anything else ends the batch and goes back to the structural scan.
   */
  private continueBatch(chunk: Uint8Array, i: number): number {
    const cap = this.cap!;
    let j = i;
    while (j < chunk.length && isSpace(chunk[j])) j++;
    if (j + 1 >= chunk.length || chunk[j] !== B.Comma) {
      this.finishCapture();
      return i;
    }
    let k = j + 1;
    while (k < chunk.length && isSpace(chunk[k])) k++;
    if (k >= chunk.length || chunk[k] === B.CloseArr) {
      this.finishCapture();
      return i;
    }
    const c = chunk[k];
    cap.parts.push(chunk.subarray(i, k));
    cap.bytes += k - i;
    cap.bare = c !== B.OpenObj && c !== B.OpenArr && c !== B.Quote;
    cap.depth = 0;
    return k;
  }

  private finishCapture(): void {
    const cap = this.cap!;
    this.cap = undefined;
    const text = Buffer.concat(cap.parts, cap.bytes).toString('utf8');
    const frame = cap.batch;
    if (!frame) {
      this.visitor.value(
        cap.path,
        parse(text, () => this.fail(`${describePath(cap.path)} is not valid JSON`, cap.at)),
      );
      return;
    }
    const first = frame.key as number;
    const items = parse(`[${text}]`, () => this.fail(`${describePath([...frame.path, `${first}..${first + cap.items - 1}`])} is not valid JSON`, cap.at)) as unknown[];
    if (items.length !== cap.items) this.fail(`${describePath(frame.path)} holds text that is not a list of values`, cap.at);
    for (let k = 0; k < items.length; k++) this.visitor.value([...frame.path, first + k], items[k]);
    frame.key = first + items.length - 1;
  }

  private scanKey(chunk: Uint8Array, from: number): number {
    let i = from;
    let escaped = this.keyEscaped;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (escaped) escaped = false;
      else if (c === B.Backslash) escaped = true;
      else if (c === B.Quote) break;
    }
    this.keyEscaped = escaped;
    const parts = this.keyParts!;
    parts.push(chunk.subarray(from, i));
    const bytes = parts.reduce((s, p) => s + p.length, 0);
    const top = this.stack[this.stack.length - 1];
    if (bytes > 4096) this.fail(`a key in ${describePath(top.path)} is longer than 4096 bytes`, this.offset + i);
    if (i === chunk.length) return i;
    this.keyParts = undefined;
    top.key = parse(`"${Buffer.concat(parts).toString('utf8')}"`, () => this.fail(`a key in ${describePath(top.path)} is not a valid string`, this.offset + i)) as string;
    top.expect = 'colon';
    return i + 1;
  }
}

function parse(text: string, onError: () => never): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return onError();
  }
}

export function describePath(path: JsonPath): string {
  if (path.length === 0) return 'the file';
  return path.map((p, k) => (typeof p === 'number' || /^\d+\.\.\d+$/.test(p) ? `[${p}]` : k === 0 ? p : `.${p}`)).join('');
}

/** Feeds every chunk of `source` to a reader for `visitor`, then checks the document ended. */
export async function readJson(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, visitor: JsonVisitor, what: string, limits?: JsonLimits): Promise<void> {
  const reader = new JsonStreamReader(visitor, what, limits);
  for await (const chunk of source) reader.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  reader.end();
}
