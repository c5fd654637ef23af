// What the host and the main worker say to each other.
import type { Site } from '../../trace/model';
import type { PoolScript, PoolWorkerData, ThreadExit } from '../dispatch/workerProtocol';

export interface MainWorkerData {
  file: string;
  bundle: string;
  ring: SharedArrayBuffer;
  defaultWorkers: number;
  traceTasks: boolean;
}

/** main worker -> host */
export type MainToHost =
  | { t: 'ring'; lane: number; ring: SharedArrayBuffer }
  /** main is about to be called; it is defined at `site` */
  | { t: 'main'; site?: Site }
  | { t: 'spawn'; lane: number; script: PoolScript; data: PoolWorkerData }
  | { t: 'terminate'; lane: number }
  | { t: 'deadlock' }
  | { t: 'bad-input'; message: string; site?: Site; stack?: string }
  | { t: 'end'; ok: boolean; error?: string; site?: Site }
  /** main's code called process.exit(code) at `site` */
  | { t: 'exit'; code: number; site?: Site };

/** host -> main worker */
export type HostToMain = { t: 'exited'; lane: number; exit: ThreadExit };
