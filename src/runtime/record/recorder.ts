// This thread's recorder: interns strings and writes records into this thread's ring (or, in a
// child process, into the buffer it sends). When the thread runs without a host (tracing off,
// or the runtime used on its own), every call is a cheap no-op.
import { Rec } from '../../trace/records';
import { nowUs } from './clock';
import type { RecordSink } from './eventRing';

export class Recorder {
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly sink: RecordSink | undefined,
    /** Whether per-task records (jobs, tasks, callbacks) are written; off when tracing is off. */
    readonly tasks: boolean,
  ) {}

  /** Whether records go anywhere. */
  get on(): boolean {
    return this.sink !== undefined;
  }

  /** Interned id of s (-1 for none), declaring it in the ring the first time. */
  str(s: string | undefined): number {
    if (!this.sink || s === undefined) return -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      this.sink.write(Rec.STR, 0, 0, id, 0, 0, 0, 0, 0, s);
    }
    return id;
  }

  rec(type: number, lane: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, text?: string): void {
    this.sink?.write(type, lane, nowUs(), a, b, c, d, e, f, text);
  }

  /** A record of something that happened at `ts` (on the run's clock), told only now. */
  recAt(ts: number, type: number, lane: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, text?: string): void {
    this.sink?.write(type, lane, ts, a, b, c, d, e, f, text);
  }
}

let current = new Recorder(undefined, false);

export function recorder(): Recorder {
  return current;
}

export function installRecorder(sink: RecordSink | undefined, tasks: boolean): Recorder {
  current = new Recorder(sink, tasks && sink !== undefined);
  return current;
}
