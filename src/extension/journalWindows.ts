// Windows of a run loaded from its journal, for a run the inspector holds only part of: the
// journal's index is built once (per file as it is on disk) and each window reads only the frames
// it needs. Both go in slices of the extension host's event loop, which other extensions share.
import { statSync } from 'node:fs';
import { indexSteps, runStepsSliced, type JournalIndex } from '../runtime/journal/journalIndex';
import { replaySteps, windowSteps, type Replay } from '../runtime/journal/replay';
import { KEEP_ALL } from '../trace/notKept';

export class JournalWindows {
  private cached: { key: string; index: Promise<JournalIndex> } | undefined;

  /** The index of the journal at `path`, built at the first ask after the file last changed. */
  index(path: string): Promise<JournalIndex> {
    const { size, mtimeMs } = statSync(path);
    const key = `${path}\0${size}\0${mtimeMs}`;
    if (this.cached?.key !== key) {
      const index = runStepsSliced(indexSteps(path));
      this.cached = { key, index };
      // A journal that cannot be read is read again at the next ask (say, once it is whole).
      index.catch(() => {
        if (this.cached?.index === index) this.cached = undefined;
      });
    }
    return this.cached.index;
  }

  /** The whole run, as many spans as `maxSpans` keeps, the first tasks first (the others counted). */
  async whole(path: string, maxSpans: number): Promise<Replay> {
    const index = await this.index(path);
    return runStepsSliced(replaySteps(path, { ...KEEP_ALL, maxSpans }, undefined, index));
  }

  /** The tasks that ran in [fromUs, toUs] (µs from the run's origin), at most `maxSpans` spans of them. */
  async window(path: string, fromUs: number, toUs: number, maxSpans: number): Promise<Replay> {
    return runStepsSliced(windowSteps(await this.index(path), fromUs, toUs, maxSpans));
  }

  /** Forgets the index: its journal is gone. */
  forget(): void {
    this.cached = undefined;
  }
}
