// How a run ends: the first of main's end, a crash, a deadlock, Stop or the time limit wins;
// whatever comes after it (a thread's exit caused by the teardown) changes nothing.
import type { RunResult } from './run';

export type RunEnding = Omit<RunResult, 'store'>;

export class RunEnd {
  private settle!: (r: RunEnding) => void;
  /** the outcome, once the run has one */
  result: RunEnding | undefined;
  readonly ended = new Promise<RunEnding>((r) => (this.settle = r));
  private limit: ReturnType<typeof setTimeout> | undefined;

  end(r: RunEnding): void {
    if (this.result) return;
    this.result = r;
    this.settle(r);
  }

  get over(): boolean {
    return this.result !== undefined;
  }

  /** Ends the run with `r()` after `ms`, unless it ended before. */
  limitTo(ms: number | undefined, r: () => RunEnding): void {
    if (ms) this.limit = setTimeout(() => this.end(r()), ms);
  }

  clearLimit(): void {
    clearTimeout(this.limit);
  }
}
