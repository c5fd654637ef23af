// A run's journal: the records every source of a run handed the host, kept on disk as they are
// read, so a host that is killed (SIGKILL, the OOM killer) leaves a trace of everything read until
// then, and a run too big to keep in memory is still kept whole.
//
// The file: an 8-byte magic, then frames. A frame is i32 source | i32 byteLength | payload (a
// multiple of 8 bytes). Source ≥ 0: the payload is whole records of that source (the run's
// sources as the host added them; each has its own string table), laid out as a ring holds them
// (../record/eventRing.ts). HEAD and END frames hold JSON (padded with spaces). A frame is
// appended with one write, so a reader stops at the first frame the file does not hold whole.
import { closeSync, openSync, readSync } from 'node:fs';
import type { DeadlockInfo, RunOutcome, Site, TraceLanguage } from '../../trace/model';

export const JOURNAL_MAGIC = Buffer.from('PSJOURN1', 'latin1');
export const FRAME_HEAD = 8;
/** The first frame's source: the run's head (JournalHead). */
export const HEAD_FRAME = -1;
/** The last frame's source, when the run ended while the host still ran: its end (JournalEnd). */
export const END_FRAME = -2;
/** The extension a journal gets when it is the trace asked for, and beside any other trace while the run goes on. */
export const JOURNAL_EXT = '.psrec';

export interface JournalHead {
  /** the program that ran */
  file: string;
  language?: TraceLanguage;
  /** wall-clock ISO time of the origin */
  startedAt: string;
  /** the run's origin on the shared clock, µs */
  origin: number;
}

export interface JournalEnd {
  outcome: RunOutcome;
  error?: string;
  deadlock?: DeadlockInfo;
  stoppedAt?: Site;
  /** when the run ended on the shared clock, µs */
  endUs: number;
}

export function isJournalPath(path: string): boolean {
  return path.toLowerCase().endsWith(JOURNAL_EXT);
}

/** Whether the file at `path` begins as a journal does, whatever its name; false if it cannot be read (the caller says why). */
export function isJournal(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return startsAsJournal(fd);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether the open file `fd` begins with the journal's magic bytes. */
export function startsAsJournal(fd: number): boolean {
  const magic = Buffer.alloc(JOURNAL_MAGIC.length);
  return readSync(fd, magic, 0, magic.length, 0) === magic.length && magic.equals(JOURNAL_MAGIC);
}
