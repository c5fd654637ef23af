// Where the view's data comes from and where its requests go: the extension host (inside the
// editor) or the trace embedded in a standalone HTML file.
import { EMBED_ID, PROTOCOL_VERSION, type EmbeddedTrace, type HostEnvelope, type ViewMessage, type ViewOptions } from '../protocol/messages';
import { checkHostEnvelope } from '../protocol/validate';
import { JOB_COLUMNS, JOB_COLUMN_NAMES, SPAN_COLUMNS, SPAN_COLUMN_NAMES, asColumn, base64ToBytes } from '../protocol/wire';

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

/** Puts the gzipped span and job columns of a standalone page back into its patch, as typed arrays. */
async function unpack(e: EmbeddedTrace): Promise<void> {
  const total = e.packed.lengths.reduce((a, b) => a + b, 0);
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
  let at = 0,
    k = 0;
  const next = () => {
    const n = e.packed.lengths[k++];
    at += n;
    return raw.subarray(at - n, at);
  };
  const spans = e.patch.spans as unknown as Record<string, unknown>;
  for (const c of SPAN_COLUMN_NAMES) spans[c] = asColumn(SPAN_COLUMNS[c] as never, next());
  const jobs = e.patch.jobs as unknown as Record<string, unknown>;
  for (const c of JOB_COLUMN_NAMES) jobs[c] = asColumn(JOB_COLUMNS[c] as never, next());
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
