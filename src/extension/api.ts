// What `activate` returns: read access for the integration tests and for other extensions to the
// things a person sees (status bar text, output lines) and to the shown run.
import type { RunState } from './runState';

export interface PoolscopeApi {
  /** how long `activate` took, in ms */
  readonly activationMs: number;
  readonly state: RunState;
  statusText(): string;
  outputLines(): readonly string[];
}
