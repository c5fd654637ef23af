// The standalone timeline: one self-contained HTML file holding the inspector bundle, its
// stylesheet and the trace, for people without the editor and for CI artifacts. Scripts and
// styles are allowed by their SHA-256 hashes, so the page runs under a strict CSP as a file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { jobColumns, notKeptOf, stringsFrom } from '../protocol/encode';
import { EMBED_ID, type ColumnCoding, type ViewOptions } from '../protocol/messages';
import { JOB_COLUMN_NAMES, SPAN_COLUMN_NAMES, type WireFinding } from '../protocol/wire';
import type { TraceStore } from '../trace/store';

export interface HtmlReportOptions {
  /** folder holding webview.js and webview.css (default: media/dist of this package) */
  assetsDir?: string;
  /** callbacks slower than this are drawn as slow (default 100, as the analysis) */
  blockThresholdMs?: number;
}

function findAssets(dir?: string): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  const candidates = dir ? [dir] : [join(here, '..', 'media', 'dist'), join(here, '..', '..', 'media', 'dist'), join(process.cwd(), 'media', 'dist')];
  const found = candidates.find((c) => existsSync(join(c, 'webview.js')) && existsSync(join(c, 'webview.css')));
  if (!found) throw new Error(`the inspector bundle is missing (looked for webview.js and webview.css in ${candidates.join(', ')}); run \`npm run build\``);
  return found;
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** Text safe inside a <script> or <style> element: nothing in it can close the element or open a comment. */
function inert(s: string): string {
  return s.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Raw bytes of columns gzipped per piece of about this size: each piece is one gzip member of its own. */
const PACK_BYTES = 4 << 20;

type Column = ArrayLike<number> & ArrayBufferView & { BYTES_PER_ELEMENT: number };

/** Whether every element of a column is the same (all NaN counts as the same). */
function isConstant(col: Column): boolean {
  if (col.length < 2) return false;
  const v = col[0];
  if (Number.isNaN(v)) {
    for (let i = 1; i < col.length; i++) if (!Number.isNaN(col[i])) return false;
  } else for (let i = 1; i < col.length; i++) if (col[i] !== v) return false;
  return true;
}

/** How a column's bytes are laid out in the page (see EmbeddedTrace): what gzip shrinks most and the page undoes cheaply. */
function codingOf(col: Column): ColumnCoding {
  if (isConstant(col)) return 'constant';
  // Ids and counters that step by small amounts: their differences are mostly one value.
  if (col instanceof Int32Array) return 'delta';
  // Times: neighbours share their sign, exponent and high bytes, which byte planes put side by side.
  if (col instanceof Float64Array) return 'planes';
  return 'raw';
}

/** Elements per piece of an encoded column. */
const CODED_PIECE = 1 << 16;

function* encoded(col: Column, coding: ColumnCoding): Generator<Uint8Array> {
  const bytes = new Uint8Array(col.buffer, col.byteOffset, col.byteLength);
  const size = col.BYTES_PER_ELEMENT,
    n = col.length;
  if (coding === 'constant') yield bytes.subarray(0, size);
  else if (coding === 'raw') yield bytes;
  else if (coding === 'delta') {
    for (let from = 0; from < n; from += CODED_PIECE) {
      // An Int32Array keeps the difference modulo 2^32, which the page's wrapping sum undoes exactly.
      const out = new Int32Array(Math.min(CODED_PIECE, n - from));
      for (let k = 0, i = from; k < out.length; k++, i++) out[k] = col[i] - (i > 0 ? col[i - 1] : 0);
      yield new Uint8Array(out.buffer);
    }
  } else {
    for (let b = 0; b < size; b++) {
      for (let from = 0; from < n; from += CODED_PIECE) {
        const out = new Uint8Array(Math.min(CODED_PIECE, n - from));
        for (let e = 0, at = from * size + b; e < out.length; e++, at += size) out[e] = bytes[at];
        yield out;
      }
    }
  }
}

/** The columns one after another, as `codings` lay them out, each from an offset that is a multiple of 8. */
function* columnBytes(columns: Column[], codings: readonly ColumnCoding[]): Generator<Uint8Array> {
  let at = 0;
  for (const [k, col] of columns.entries()) {
    const pad = -at & 7;
    if (pad) yield new Uint8Array(pad);
    at += pad;
    for (const piece of encoded(col, codings[k])) {
      at += piece.length;
      yield piece;
    }
  }
}

/** Bytes gzipped in pieces, as base64 JSON strings. */
function* gzipped(chunks: Iterable<Uint8Array>): Generator<string> {
  let pending: Buffer[] = [];
  let size = 0;
  let first = true;
  const flush = () => {
    const text = `${first ? '' : ','}"${gzipSync(Buffer.concat(pending, size), { level: 1 }).toString('base64')}"`;
    first = false;
    pending = [];
    size = 0;
    return text;
  };
  for (const chunk of chunks) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < bytes.length;) {
      const take = Math.min(bytes.length - at, PACK_BYTES - size);
      pending.push(bytes.subarray(at, at + take));
      size += take;
      at += take;
      if (size === PACK_BYTES) yield flush();
    }
  }
  if (size > 0 || first) yield flush();
}

/** JSON text safe inside a non-executing script element: escaping '<' keeps '</script>' in any trace string inert. */
const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

function* jsonList<T>(items: Iterable<T>): Generator<string> {
  let first = true;
  for (const item of items) {
    yield first ? json(item) : `,${json(item)}`;
    first = false;
  }
}

/** The trace the page embeds (an EmbeddedTrace as JSON text), piece by piece. */
function* embeddedTrace(store: TraceStore, findings: readonly WireFinding[], options: ViewOptions): Generator<string> {
  const n = store.spanCount;
  const cols = store.col;
  // Views of the store's own columns, not copies: a big run's report costs no second copy of its trace.
  const spanCols = SPAN_COLUMN_NAMES.map((c) => cols[c].subarray(0, n));
  const jobs = jobColumns(store.jobs);
  const jobCols = JOB_COLUMN_NAMES.map((c) => jobs[c]);
  const columns: Column[] = [...spanCols, ...jobCols];
  const codings = columns.map(codingOf);
  const spans = { n, base: 0 };
  const head = {
    reset: true,
    spans,
    jobs: { n: jobs.n, apis: jobs.apis },
    lanes: store.lanes,
    pools: [...store.pools.values()],
    meta: store.meta,
    end: store.end,
    notKept: notKeptOf(store),
  };
  yield `{"options":${json(options)},"findings":[`;
  yield* jsonList(findings);
  yield `],"packed":{"lengths":${json(columns.map((c) => c.byteLength))},"codings":${json(codings)},"gzip":[`;
  yield* gzipped(columnBytes(columns, codings));
  yield `]},"patch":${json(head).slice(0, -1)},"strings":{"base":1,"items":[`;
  yield* jsonList(stringsFrom(store, 1));
  yield ']},"logs":{"base":0,"items":[';
  yield* jsonList(store.logs);
  yield ']},"marks":{"base":0,"items":[';
  yield* jsonList(store.marks);
  yield ']}}}';
}

/** The standalone page, piece by piece, so a run of any size is written in bounded memory (see writeChunks). */
export function* htmlReport(store: TraceStore, findings: readonly WireFinding[], opts: HtmlReportOptions = {}): Generator<string> {
  const dir = findAssets(opts.assetsDir);
  const js = inert(readFileSync(join(dir, 'webview.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, ''));
  const css = inert(readFileSync(join(dir, 'webview.css'), 'utf8').replace(/\/\*# sourceMappingURL=.*?\*\//, ''));
  const csp = `default-src 'none'; script-src ${sha256(js)}; style-src ${sha256(css)}; img-src data:`;
  const title = `${store.meta.file ? store.meta.file.split(/[\\/]/).pop() : 'trace'} — Pool Inspector`;
  yield [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    `<script type="application/json" id="${EMBED_ID}">`,
  ].join('\n');
  yield* embeddedTrace(store, findings, { blockThresholdMs: opts.blockThresholdMs ?? 100, host: 'standalone' });
  yield ['</script>', `<script>${js}</script>`, '</body>', '</html>', ''].join('\n');
}
