// Where a thread of the run is running the user's code, found by pausing it from outside through
// the host's own inspector session. A loop that spins records nothing and answers no message, so
// only a look from outside can name its line. Asked once, as a run is stopped while main runs its
// own code; it costs the run nothing before then.
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseSite, type Site } from '../../trace/model';
import { bundleSites } from '../sites/bundleSites';

interface CallFrame {
  /** the script's url, as Debugger.scriptParsed told it (the frame's own url is left empty) */
  url?: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

/**
 * The innermost frame of the user's code (the task bundle at `bundle`) that the thread with id
 * `threadId` is running, or undefined if it could not be known within `withinMs`. The thread goes
 * on as before, whether the look found it or gave up.
 */
export async function whereThreadRuns(threadId: number, bundle: string, withinMs: number): Promise<Site | undefined> {
  let look: Look | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    look = new Look(String(threadId));
    const frames = await Promise.race([look.frames, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), withinMs)))]);
    if (!frames) return undefined;
    const url = pathToFileURL(bundle).href;
    const mapped = bundleSites(JSON.parse(readFileSync(bundle + '.map', 'utf8')) as object, dirname(bundle));
    for (const f of frames) {
      const site = f.url === url ? mapped(f.location.lineNumber, f.location.columnNumber) : undefined;
      if (site) return parseSite(site);
    }
    return undefined;
  } catch {
    // No inspector in this build of Node, or the thread ended meanwhile: the place stays unknown.
    return undefined;
  } finally {
    clearTimeout(timer);
    look?.release();
  }
}

/** One look at a worker thread: attached to it through the host's inspector, and paused. */
class Look {
  private readonly session = new Session();
  /** the worker's session, once attached */
  private sessionId: string | undefined;
  private id = 0;
  private readonly urls = new Map<string, string>();
  readonly frames: Promise<CallFrame[]>;

  constructor(threadId: string) {
    const session = this.session;
    session.connect();
    this.frames = new Promise((resolve, reject) => {
      session.on('NodeWorker.attachedToWorker', ({ params }) => {
        // The inspector numbers workers its own way; their titles name the thread: '[worker 3]'.
        // Enabling attaches to every worker of the process, other extensions' too: let the others go at once.
        if (this.sessionId !== undefined || /^\[worker (\d+)\]/.exec(params.workerInfo.title)?.[1] !== threadId) {
          session.post('NodeWorker.detach', { sessionId: params.sessionId });
          return;
        }
        this.sessionId = params.sessionId;
        this.send('Debugger.enable', reject);
        this.send('Debugger.pause', reject);
      });
      session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
        if (params.sessionId !== this.sessionId) return;
        const m = JSON.parse(params.message) as { method?: string; params?: { callFrames: CallFrame[] } & { scriptId: string; url: string } };
        if (m.method === 'Debugger.scriptParsed') this.urls.set(m.params!.scriptId, m.params!.url);
        if (m.method === 'Debugger.paused') resolve(m.params!.callFrames.map((f) => ({ ...f, url: this.urls.get(f.location.scriptId) })));
      });
      session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (e) => e && reject(e));
    });
  }

  /**
   * Lets the thread go: the debugger off in it (which resumes it, or drops a pause still on its
   * way), then detached. A thread left paused would never end, and neither would its run.
   */
  release(): void {
    try {
      if (this.sessionId !== undefined) {
        this.send('Debugger.disable');
        this.session.post('NodeWorker.detach', { sessionId: this.sessionId });
      }
    } finally {
      this.session.disconnect();
    }
  }

  private send(method: string, failed?: (e: Error) => void): void {
    this.session.post('NodeWorker.sendMessageToWorker', { sessionId: this.sessionId!, message: JSON.stringify({ id: ++this.id, method, params: {} }) }, (e) => e && failed?.(e));
  }
}
