// Windows of a run loaded from its journal, for a run the inspector holds only part of: the
// journal's index is built once (per file as it is on disk) and each window reads only the frames
// it needs. Both go in slices of the extension host's event loop, which other extensions share.
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { readConfig } from './config';
import type { RunState } from './runState';
import { indexSteps, runStepsSliced, type JournalIndex } from '../runtime/journal/journalIndex';
import { replaySteps, windowSteps, type Replay } from '../runtime/journal/replay';
import { KEEP_ALL } from '../trace/notKept';
import { LINES_PER_RUN } from './outputLog';

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
    return runStepsSliced(replaySteps(path, { ...KEEP_ALL, maxSpans, maxLines: LINES_PER_RUN }, undefined, index));
  }

  /** The tasks that ran in [fromUs, toUs] (µs from the run's origin), at most `maxSpans` spans of them. */
  async window(path: string, fromUs: number, toUs: number, maxSpans: number): Promise<Replay> {
    return runStepsSliced(windowSteps(await this.index(path), fromUs, toUs, maxSpans, LINES_PER_RUN));
  }
}

/**
 * Loads windows of the run shown from its journal, one at a time: a window asked for while one
 * loads replaces any other waiting, so a view panned on and on loads only where it stopped.
 */
export class WindowLoader {
  private wanted: { from: number; to: number; waiting: { resolve(): void; reject(e: unknown): void }[] } | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly state: RunState,
    private readonly windows: JournalWindows,
  ) {}

  /** Settles once the window asked for (or one asked for after it) is shown, or there is no journal to load it from. */
  load(from: number, to: number): Promise<void> {
    const shown = new Promise<void>((resolve, reject) => {
      const waiting = this.wanted?.waiting ?? [];
      waiting.push({ resolve, reject });
      this.wanted = { from, to, waiting };
    });
    this.loading ??= this.drain().finally(() => (this.loading = undefined));
    return shown;
  }

  private async drain(): Promise<void> {
    while (this.wanted) {
      const { from, to, waiting } = this.wanted;
      this.wanted = undefined;
      try {
        await this.show(from, to);
        for (const w of waiting) w.resolve();
      } catch (e) {
        for (const w of waiting) w.reject(e);
      }
    }
  }

  private async show(from: number, to: number): Promise<void> {
    const run = this.state.current;
    // A run still going is not journalled whole yet; its store grows on its own.
    if (run?.journal === undefined || run.running) return;
    const whole = run.whole ?? run;
    const { store } = await this.windows.window(run.journal, from, to, readConfig(vscode.Uri.file(run.file)).keepSpans);
    // Another run or trace shown meanwhile: this window is of a run no longer in view. The
    // findings are the whole run's, analysed at its end over the tasks kept then; the spans
    // they name are of that store, not this one.
    if (this.state.current === run) this.state.set({ ...whole, store, findings: whole.findings.map((f) => ({ ...f, spans: [] })), whole });
  }
}
