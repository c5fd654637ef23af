// Saving a trace in the format its file name asks for: Perfetto's protobuf for .perfetto-trace
// and .pftrace (far smaller; Perfetto and its trace processor read it natively), the Chrome Trace
// Event Format JSON otherwise. Both are written as a stream, in bounded memory.
import { chromeTraceText } from './chromeTrace';
import { perfettoTrace } from './perfettoTrace';
import type { TraceStore } from './store';
import { writeChunks } from './writeChunks';

export type TraceFileFormat = 'perfetto' | 'chrome-json';

export function traceFileFormat(path: string): TraceFileFormat {
  return /\.(perfetto-trace|pftrace)$/i.test(path) ? 'perfetto' : 'chrome-json';
}

export const FORMAT_NAMES: Record<TraceFileFormat, string> = {
  perfetto: 'Perfetto protobuf trace',
  'chrome-json': 'Chrome Trace Event Format, opens in Perfetto',
};

/** Writes the trace to `path`; returns the bytes written. */
export function writeTraceFile(path: string, store: TraceStore): Promise<number> {
  return writeChunks(path, traceFileFormat(path) === 'perfetto' ? perfettoTrace(store) : chromeTraceText(store));
}
