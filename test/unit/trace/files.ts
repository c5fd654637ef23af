// A trace as the file the exporter writes, and a file's text read back by the streaming importer.
import { chromeTraceText, readChromeTrace, type ChromeTraceFile } from '../../../src/trace/chromeTrace';
import type { TraceStore } from '../../../src/trace/store';

/** The exported file, parsed. */
export function exported(store: TraceStore): ChromeTraceFile {
  return JSON.parse([...chromeTraceText(store)].join('')) as ChromeTraceFile;
}

/** Reads `json` as a file holding its text, cut into pieces of `chunk` bytes (the reader must not care where). */
export function imported(json: unknown, chunk = 1 << 16): Promise<TraceStore> {
  const bytes = Buffer.from(typeof json === 'string' ? json : JSON.stringify(json));
  return readChromeTrace(function* () {
    for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
  });
}

/** Export, then read the file back: what "Open Trace..." does with a saved file. */
export function viaFile(store: TraceStore, chunk?: number): Promise<TraceStore> {
  return imported([...chromeTraceText(store)].join(''), chunk);
}
