// The standalone timeline: one self-contained HTML file holding the inspector bundle, its
// stylesheet and the trace, for people without the editor and for CI artifacts. Scripts and
// styles are allowed by their SHA-256 hashes, so the page runs under a strict CSP as a file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encodeTrace } from '../protocol/encode';
import { EMBED_ID, type EmbeddedTrace } from '../protocol/messages';
import { SPAN_COLUMN_NAMES, type WireFinding } from '../protocol/wire';
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

export function renderHtmlReport(store: TraceStore, findings: readonly WireFinding[], opts: HtmlReportOptions = {}): string {
  const dir = findAssets(opts.assetsDir);
  const js = inert(readFileSync(join(dir, 'webview.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, ''));
  const css = inert(readFileSync(join(dir, 'webview.css'), 'utf8').replace(/\/\*# sourceMappingURL=.*?\*\//, ''));
  const patch = encodeTrace(store);
  // The span columns travel gzipped in one piece: numeric columns shrink about threefold.
  const raw = SPAN_COLUMN_NAMES.map((c) => Buffer.from(patch.spans[c] as string, 'base64'));
  const packed = { gzip: gzipSync(Buffer.concat(raw), { level: 1 }).toString('base64'), lengths: raw.map((b) => b.length) };
  for (const c of SPAN_COLUMN_NAMES) patch.spans[c] = '';
  const embedded: EmbeddedTrace = { patch, findings: [...findings], options: { blockThresholdMs: opts.blockThresholdMs ?? 100, host: 'standalone' }, packed };
  // JSON in a non-executing script element; escaping '<' keeps '</script>' in any trace string inert.
  const json = JSON.stringify(embedded).replace(/</g, '\\u003c');
  const csp = `default-src 'none'; script-src ${sha256(js)}; style-src ${sha256(css)}; img-src data:`;
  const title = `${store.meta.file ? store.meta.file.split(/[\\/]/).pop() : 'trace'} — Pool Inspector`;
  return [
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
    `<script type="application/json" id="${EMBED_ID}">${json}</script>`,
    `<script>${js}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
