// What the host and the main worker say to each other.

export interface MainWorkerData {
  file: string;
  bundle: string;
  ring: SharedArrayBuffer;
  defaultWorkers: number;
  traceTasks: boolean;
}

export type HostMessage =
  | { t: 'ring'; lane: number; ring: SharedArrayBuffer }
  | { t: 'deadlock' }
  | { t: 'bad-input'; message: string; stack?: string }
  | { t: 'end'; ok: boolean; error?: string };
