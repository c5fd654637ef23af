// The thread the user's `main` runs in. The host (CLI or extension) never runs user code;
// it starts this worker, which imports the compiled task file and calls its `main`.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { LaneKindCode, MainStatus, Rec } from '../../trace/records';
import { parseSite, type Site } from '../../trace/model';
import { exposeApi } from '../api/apiGlobal';
import { recorder } from '../record/recorder';
import { configureRun } from './runContext';
import { configureSites, functionSite } from '../sites/sites';
import { siteTag } from '../sites/siteTag';
import { tagBundleFile } from '../compile/tagCalls';
import { isBadInput } from '../api/errors';
import { userStack } from '../sites/stacks';
import { firstLine, stackSite } from '../../trace/stacks';
import { taskExports } from '../compile/bundleExports';
import { registerTaskModule } from '../dispatch/taskRegistry';
import { awaitProcessRecords } from '../dispatch/process/processWorkers';
import { CALLBACK_LANE, MAIN_LANE } from '../record/lanes';
import { flushPartialLines, setupThread } from '../record/threadSetup';
import type { HostToMain, MainToHost, MainWorkerData } from '../host/mainThreadMessages';
import type { ThreadExit } from '../dispatch/workerProtocol';

const data = workerData as MainWorkerData;
const port = parentPort!;
const send = (m: MainToHost) => port.postMessage(m);

setupThread({ ring: data.ring, lane: MAIN_LANE, laneName: 'Main', traceTasks: data.traceTasks });
exposeApi();
const rec = recorder();
rec.rec(Rec.LANE, MAIN_LANE, MAIN_LANE, LaneKindCode.main, -1, 0, 0, 0, 'Main');
rec.rec(Rec.LANE, MAIN_LANE, CALLBACK_LANE, LaneKindCode.callback, -1, 0, 0, 0, 'Callback');
// How pool threads ended, told by the host. The channel does not keep main alive: only a pool
// that waits to hear of one of its threads does, until it has.
const exits = new Map<number, ThreadExit>();
const awaitingExit = new Map<number, (exit: ThreadExit) => void>();
port.on('message', (m: HostToMain) => {
  const waiter = awaitingExit.get(m.lane);
  if (!waiter) return void exits.set(m.lane, m.exit);
  awaitingExit.delete(m.lane);
  if (awaitingExit.size === 0) port.unref();
  waiter(m.exit);
});
port.unref();

configureRun(data.defaultWorkers, {
  laneRing: (lane, ring) => send({ t: 'ring', lane, ring }),
  deadlock: () => {
    awaitProcessRecords();
    send({ t: 'deadlock' });
  },
  spawn: (lane, script, workerData) => {
    port.postMessage({ t: 'spawn', lane, script, data: workerData } satisfies MainToHost, [workerData.port!]);
  },
  threadExit: (lane) => {
    const exit = exits.get(lane);
    if (exit) {
      exits.delete(lane);
      return Promise.resolve(exit);
    }
    port.ref();
    return new Promise((resolve) => awaitingExit.set(lane, resolve));
  },
  terminate: (lane) => send({ t: 'terminate', lane }),
});

const fileStart = { file: data.file, line: 1, col: 1 };

// process.exit() in main ends its thread at once, with no error to say where: it says so first.
const exitThread = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  flushPartialLines();
  awaitProcessRecords();
  send({ t: 'exit', code: Number(code ?? process.exitCode ?? 0), site: stackSite(userStack(new Error('process.exit'))) });
  return exitThread(code);
}) as typeof process.exit;

async function run(): Promise<void> {
  const url = pathToFileURL(data.bundle).href;
  // Before anything imports the bundle, pool workers included: they run the same file.
  const { sites, map } = tagBundleFile(data.bundle);
  let ns: Record<string, unknown>;
  try {
    ns = taskExports(await import(url));
  } catch (e) {
    const stack = userStack(e);
    send({ t: 'bad-input', message: `importing ${data.file} failed: ${firstLine(stack)}`, site: stackSite(stack) ?? fileStart, stack });
    return;
  }
  if (typeof ns.main !== 'function') {
    const what = 'main' in ns ? `exports \`main\` as ${ns.main === null ? 'null' : `a ${typeof ns.main}`}, not as a function` : 'does not export a `main` function';
    send({ t: 'bad-input', message: `${data.file} ${what} (add \`export async function main() { ... }\`)`, site: fileStart });
    return;
  }
  registerTaskModule(url, ns);
  configureSites(url, map, sites, ns.main);
  send({ t: 'main', site: parseSite(functionSite(ns.main as Function)) });
  try {
    await (ns.main as () => unknown)();
    flushPartialLines();
    awaitProcessRecords();
    rec.rec(Rec.MAIN_END, MAIN_LANE, MainStatus.returned);
    send({ t: 'end', ok: true });
  } catch (e) {
    const stack = userStack(e);
    flushPartialLines();
    if (isBadInput(e)) {
      // No frame of the user's (an error made where a result came in): the host places it.
      send({ t: 'bad-input', message: firstLine(stack), site: stackSite(stack), stack });
      return;
    }
    awaitProcessRecords();
    rec.rec(Rec.MAIN_END, MAIN_LANE, MainStatus.threw, 0, 0, 0, 0, 0, stack);
    send({ t: 'end', ok: false, error: stack, site: stackSite(stack) ?? throwSite(e, sites) });
  }
}

/** Where a value that is not an Error was thrown, if the compiler tagged that `throw`. */
function throwSite(e: unknown, sites: readonly string[]): Site | undefined {
  const tag = siteTag();
  if (tag.threw === undefined || !Object.is(tag.thrown, e)) return undefined;
  return parseSite(sites[tag.threw]);
}

// Not awaited at top level: a main that awaits something nothing can settle must let this
// thread end with an empty event loop (exit code 0), which the host reports as a deadlock.
void run();
