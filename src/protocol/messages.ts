// Every message between the extension host and the inspector webview: one union per
// direction, each wrapped in an envelope. Host messages carry a sequence number so the view
// notices a lost or reordered batch and asks for a fresh snapshot.
import type { TracePatch, WireFinding, Site } from './wire';

export const PROTOCOL_VERSION = 1;

export interface ViewOptions {
  /** callbacks slower than this are marked slow (the analysis' block threshold) */
  blockThresholdMs: number;
  /** whether the view runs inside the editor (Go to source, export, open available) */
  host: 'vscode' | 'standalone';
  /** the host keeps the run's journal: a view of a run it did not keep whole may ask for the tasks of a window (loadWindow) */
  windows?: boolean;
}

export type HostMessage =
  | { type: 'trace'; patch: TracePatch; findings?: WireFinding[]; running: boolean; options?: ViewOptions }
  | { type: 'findings'; findings: WireFinding[] }
  | { type: 'select'; spans: number[] }
  | { type: 'notice'; text: string };

export interface HostEnvelope {
  v: typeof PROTOCOL_VERSION;
  seq: number;
  msg: HostMessage;
}

export type ViewMessage =
  | { type: 'ready'; lastSeq: number }
  | { type: 'resync'; expected: number; got: number }
  | { type: 'openSource'; site: Site }
  | { type: 'exportTrace' }
  | { type: 'openTrace' }
  | { type: 'applied'; spans: number; lanes: number; seq: number }
  /** the view settled on [from, to] (µs from the run's origin), which the tasks it holds do not cover: load that window's tasks from the journal */
  | { type: 'loadWindow'; from: number; to: number };

/** What the standalone page embeds, as JSON in a non-executing script element with this id. */
export const EMBED_ID = 'poolscope-trace';
/**
 * How a packed column's bytes are laid out: 'raw' as they are (the page views them in place);
 * 'constant' only the first element, which every element repeats; 'delta' (Int32 columns) each
 * element less the one before it, modulo 2^32; 'planes' byte 0 of every element, then byte 1 of
 * every element, and so on.
 */
export type ColumnCoding = 'raw' | 'constant' | 'delta' | 'planes';

export interface EmbeddedTrace {
  patch: TracePatch;
  findings: WireFinding[];
  options: ViewOptions;
  /**
   * The span columns one after another in SPAN_COLUMN_NAMES order, then the job columns in
   * JOB_COLUMN_NAMES order, with these byte lengths, gzipped in pieces (each its own gzip member,
   * base64) so the page is written in bounded memory; the patch's own columns are then absent.
   * Each column starts at a multiple of 8 bytes (zeros pad the gap) and is laid out as its coding
   * says (ColumnCoding). A million tasks shrink from ~90 MB of columns to ~15 MB.
   */
  packed: { gzip: string[]; lengths: number[]; codings: ColumnCoding[] };
}

export interface ViewEnvelope {
  v: typeof PROTOCOL_VERSION;
  id: number;
  msg: ViewMessage;
}
