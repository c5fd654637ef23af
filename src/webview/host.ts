// Where the view's data comes from and where its requests go: the extension host (inside the
// editor) or the trace embedded in a standalone HTML file.
import { EMBED_ID, PROTOCOL_VERSION, type ColumnCoding, type EmbeddedTrace, type HostEnvelope, type ViewMessage, type ViewOptions } from '../protocol/messages';
import { checkHostEnvelope } from '../protocol/validate';
import { JOB_COLUMNS, JOB_COLUMN_NAMES, SPAN_COLUMNS, SPAN_COLUMN_NAMES, base64ToBytes } from '../protocol/wire';

export interface SavedState {
  t0: number;
  t1: number;
  fitAll: boolean;
  follow: boolean;
  selected?: number;
  search: string;
  table: boolean;
}

export interface Host {
  kind: ViewOptions['host'];
  post(msg: ViewMessage): void;
  listen(cb: (env: HostEnvelope) => void): void;
  getState(): SavedState | undefined;
  setState(s: SavedState): void;
}

interface VsCodeApi {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

function vscodeHost(api: VsCodeApi): Host {
  let id = 0;
  return {
    kind: 'vscode',
    post: (msg) => api.postMessage({ v: PROTOCOL_VERSION, id: ++id, msg }),
    listen: (cb) =>
      window.addEventListener('message', (e: MessageEvent) => {
        const checked = checkHostEnvelope(e.data);
        if (checked.ok) cb(checked.value);
      }),
    getState: () => api.getState() as SavedState | undefined,
    setState: (s) => api.setState(s),
  };
}

type ColumnType = (typeof SPAN_COLUMNS)[keyof typeof SPAN_COLUMNS] | (typeof JOB_COLUMNS)[keyof typeof JOB_COLUMNS];
type AnyColumn = new (b: ArrayBuffer | number, o?: number, n?: number) => Float64Array;

/** Column k of the inflated bytes, undoing its coding (see ColumnCoding): a 'raw' one is viewed where it lies. */
function decoded(type: ColumnType, coding: ColumnCoding, raw: Uint8Array<ArrayBuffer>, at: number, n: number): ArrayBufferView {
  const T = type as unknown as AnyColumn,
    size = type.BYTES_PER_ELEMENT;
  if (coding === 'raw') return new T(raw.buffer, at, n);
  if (coding === 'constant') return new T(n).fill(new T(raw.buffer, at, 1)[0]);
  if (coding === 'delta') {
    const v = new Int32Array(raw.buffer, at, n);
    for (let i = 1; i < n; i++) v[i] = (v[i] + v[i - 1]) | 0;
    return v;
  }
  const out = new T(n);
  const bytes = new Uint8Array(out.buffer);
  for (let b = 0; b < size; b++) for (let e = 0, from = at + b * n, to = b; e < n; e++, to += size) bytes[to] = raw[from + e];
  return out;
}

const CODINGS: readonly ColumnCoding[] = ['raw', 'constant', 'delta', 'planes'];

/** Puts the gzipped span and job columns of a standalone page back into its patch, as typed arrays. */
async function unpack(e: EmbeddedTrace): Promise<void> {
  const types: ColumnType[] = [...SPAN_COLUMN_NAMES.map((c) => SPAN_COLUMNS[c]), ...JOB_COLUMN_NAMES.map((c) => JOB_COLUMNS[c])];
  const { lengths, codings } = e.packed;
  if (lengths.length !== types.length || codings.length !== types.length) throw new Error(`the page packs ${lengths.length} columns, not ${types.length}`);
  let total = 0;
  const offsets = lengths.map((len, k) => {
    const size = types[k].BYTES_PER_ELEMENT;
    if (!Number.isInteger(len / size) || len < 0) throw new Error(`column ${k} holds ${len} bytes, not whole elements`);
    if (!CODINGS.includes(codings[k]) || (codings[k] === 'delta' && types[k] !== Int32Array)) throw new Error(`column ${k} cannot be coded as ${codings[k]}`);
    total += -total & 7;
    const at = total;
    total += codings[k] === 'constant' ? size : len;
    return at;
  });
  const raw = new Uint8Array(total);
  let filled = 0;
  for (const piece of e.packed.gzip) {
    const zipped = new Blob([base64ToBytes(piece) as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    const bytes = new Uint8Array(await new Response(zipped).arrayBuffer());
    if (filled + bytes.length > total) throw new Error(`the columns hold more than the ${total} bytes their lengths add up to`);
    raw.set(bytes, filled);
    filled += bytes.length;
  }
  if (filled !== total) throw new Error(`the columns hold ${filled} bytes, not the ${total} their lengths add up to`);
  const column = (k: number) => decoded(types[k], codings[k], raw, offsets[k], lengths[k] / types[k].BYTES_PER_ELEMENT);
  const spans = e.patch.spans as unknown as Record<string, unknown>;
  SPAN_COLUMN_NAMES.forEach((c, k) => (spans[c] = column(k)));
  const jobs = e.patch.jobs as unknown as Record<string, unknown>;
  JOB_COLUMN_NAMES.forEach((c, k) => (jobs[c] = column(SPAN_COLUMN_NAMES.length + k)));
}

function standaloneHost(notice: (text: string) => void): Host {
  let state: SavedState | undefined;
  return {
    kind: 'standalone',
    post: (msg) => {
      if (msg.type === 'openSource') notice(`Source: ${msg.site.file}:${msg.site.line}:${msg.site.col}`);
    },
    listen: (cb) => {
      const script = document.getElementById(EMBED_ID);
      if (!script) return notice('This page holds no trace.');
      const embedded = JSON.parse(script.textContent ?? '') as EmbeddedTrace;
      // The JSON text is no longer needed once parsed: let the page drop it.
      script.remove();
      unpack(embedded).then(
        () => cb({ v: PROTOCOL_VERSION, seq: 1, msg: { type: 'trace', patch: embedded.patch, findings: embedded.findings, running: false, options: embedded.options } }),
        (e: Error) => notice(`This page's trace could not be read: ${e.message}`),
      );
    },
    getState: () => state,
    setState: (s) => (state = s),
  };
}

export function connectHost(notice: (text: string) => void): Host {
  return typeof acquireVsCodeApi === 'function' ? vscodeHost(acquireVsCodeApi()) : standaloneHost(notice);
}
