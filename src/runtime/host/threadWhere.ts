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
 * `threadId` is running, or undefined if it could not be known within `withinMs`.
 */
export async function whereThreadRuns(threadId: number, bundle: string, withinMs: number): Promise<Site | undefined> {
  let session: Session | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    session = new Session();
    session.connect();
    const frames = await Promise.race([pausedFrames(session, String(threadId)), new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), withinMs)))]);
    if (!frames) return undefined;
    // A thread left paused could not be ended: it goes on from where it was first.
    await post(session, 'NodeWorker.sendMessageToWorker', { sessionId: frames.sessionId, message: JSON.stringify({ id: 1e9, method: 'Debugger.resume', params: {} }) });
    await post(session, 'NodeWorker.detach', { sessionId: frames.sessionId });
    const url = pathToFileURL(bundle).href;
    const mapped = bundleSites(JSON.parse(readFileSync(bundle + '.map', 'utf8')) as object, dirname(bundle));
    for (const f of frames.callFrames) {
      const site = f.url === url ? mapped(f.location.lineNumber, f.location.columnNumber) : undefined;
      if (site) return parseSite(site);
    }
    return undefined;
  } catch {
    // No inspector in this build of Node, or the thread ended meanwhile: the place stays unknown.
    return undefined;
  } finally {
    clearTimeout(timer);
    session?.disconnect();
  }
}

function post(session: Session, method: string, params: object): Promise<void> {
  return new Promise((resolve, reject) => session.post(method, params, (e) => (e ? reject(e) : resolve())));
}

/** Attaches to the worker thread `threadId`, pauses it, and gives its call frames and the session with it. */
function pausedFrames(session: Session, threadId: string): Promise<{ sessionId: string; callFrames: CallFrame[] }> {
  return new Promise((resolve, reject) => {
    let sessionId: string | undefined;
    let id = 0;
    const urls = new Map<string, string>();
    const send = (method: string) =>
      session.post('NodeWorker.sendMessageToWorker', { sessionId: sessionId!, message: JSON.stringify({ id: ++id, method, params: {} }) }, (e) => e && reject(e));
    session.on('NodeWorker.attachedToWorker', ({ params }) => {
      // The inspector numbers workers its own way; their titles name the thread: '[worker 3]'.
      if (sessionId !== undefined || /^\[worker (\d+)\]/.exec(params.workerInfo.title)?.[1] !== threadId) return;
      sessionId = params.sessionId;
      send('Debugger.enable');
      send('Debugger.pause');
    });
    session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      if (params.sessionId !== sessionId) return;
      const m = JSON.parse(params.message) as { method?: string; params?: { callFrames: CallFrame[] } & { scriptId: string; url: string } };
      if (m.method === 'Debugger.scriptParsed') urls.set(m.params!.scriptId, m.params!.url);
      if (m.method === 'Debugger.paused') resolve({ sessionId: sessionId!, callFrames: m.params!.callFrames.map((f) => ({ ...f, url: urls.get(f.location.scriptId) })) });
    });
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (e) => e && reject(e));
  });
}
