// Runs the extension's integration suite (mocha inside the extension host, the same suite
// @vscode/test-electron runs on a desktop) in a real VS Code served by code-server and driven
// by headless Chromium: the newest VS Code the suite knows, or the oldest engines.vscode allows.
// Exits with the suite's exit code.
//   node test/vscode/runner/runInCodeServer.mjs [--vscode newest|oldest] [--grep <pattern>] [--untrusted | --bench]
// --untrusted: the suite for an untrusted workspace (*.untrusted.ts), in a fresh folder VS Code
// opens in Restricted Mode, holding a copy of test/vscode/fixtures/writes-marker.ts.
// Env: POOLSCOPE_TEST_TIMEOUT_MS (overall limit, default 10 min), POOLSCOPE_TEST_VERBOSE=1 (server log).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, launchBrowser, makeRunDir, removeRunDir, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { VSCODE_BUILDS } from './codeServerCache.mjs';

const SUITE_INDEX = join(REPO_ROOT, 'out', 'test', 'vscode', 'suite', 'index.js');
// VS Code 1.90 drops the payload's extensionEnvironment, so the suite also finds it in this file.
const ENVIRONMENT_FILE = join(dirname(SUITE_INDEX), 'environment.json');
const TIMEOUT_MS = Number(process.env.POOLSCOPE_TEST_TIMEOUT_MS || 600_000);
const verbose = process.env.POOLSCOPE_TEST_VERBOSE === '1';
const grepAt = process.argv.indexOf('--grep');
const grep = grepAt > 0 ? process.argv[grepAt + 1] : undefined;
const untrusted = process.argv.includes('--untrusted');
// --bench: the extension's benchmarks (*.bench.ts) instead of its tests (bench/extension/run.mts).
const bench = process.argv.includes('--bench');
const buildAt = process.argv.indexOf('--vscode');
const buildName = buildAt > 0 ? process.argv[buildAt + 1] : 'newest';
const build = VSCODE_BUILDS[buildName];
if (!build) {
  console.error(`--vscode ${buildName}: expected one of ${Object.keys(VSCODE_BUILDS).join(', ')}`);
  process.exit(2);
}

if (!existsSync(SUITE_INDEX)) {
  console.error(`${SUITE_INDEX} is missing: run \`npm run build\` first.`);
  process.exit(2);
}

const runDir = makeRunDir();
const reportFile = join(runDir, 'mocha-report.txt');
const serverLog = [];
let server;
let browser;

/** Prints what the reporter appended since the last call, so progress shows while the suite runs. */
let printed = 0;
function flushReport() {
  if (!existsSync(reportFile) || statSync(reportFile).size <= printed) return;
  const buf = readFileSync(reportFile);
  process.stdout.write(buf.subarray(printed));
  printed = buf.length;
}

async function main() {
  let folder = REPO_ROOT;
  if (untrusted) {
    folder = join(runDir, 'untrusted-workspace');
    mkdirSync(folder);
    copyFileSync(join(REPO_ROOT, 'test', 'vscode', 'fixtures', 'writes-marker.ts'), join(folder, 'writes-marker.ts'));
  }
  server = await startCodeServer(runDir, {
    workspaceTrust: untrusted,
    build,
    log: (line) => {
      serverLog.push(line);
      if (verbose) console.log(`[server] ${line}`);
    },
  });
  console.log(`VS Code ${build.vscode} (code-server ${build.codeServer}) listening on ${server.origin}; running ${SUITE_INDEX}`);
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  const exitCode = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code))));
  if (verbose) page.on('console', (m) => console.log(`[page] ${m.text()}`));
  const environment = { POOLSCOPE_TEST_REPORT: reportFile };
  if (untrusted) environment.POOLSCOPE_TEST_WORKSPACE = 'untrusted';
  else if (bench) environment.POOLSCOPE_TEST_WORKSPACE = 'bench';
  if (grep) environment.POOLSCOPE_TEST_GREP = grep;
  writeFileSync(ENVIRONMENT_FILE, JSON.stringify(environment));
  await page.goto(workbenchUrl(server, { folder, extensionTestsPath: SUITE_INDEX, environment }));
  const progress = setInterval(flushReport, 500);
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => {
      console.error(`\nThe suite did not finish within ${TIMEOUT_MS} ms.`);
      resolve(124);
    }, TIMEOUT_MS);
  });
  const code = await Promise.race([exitCode, timeout]);
  clearTimeout(timer);
  clearInterval(progress);
  flushReport();
  if (printed === 0) {
    // A suite that reported nothing has not shown that it ran: never a pass.
    console.error('The suite wrote no report. Last server log lines:');
    console.error(serverLog.slice(-40).join('\n'));
    return code || 1;
  }
  return code;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(e);
  console.error(serverLog.slice(-40).join('\n'));
} finally {
  await browser?.close();
  server?.stop();
  removeRunDir(runDir);
  rmSync(ENVIRONMENT_FILE, { force: true });
}
console.log(`VS Code ${build.vscode} integration suite exit code: ${code}`);
process.exit(code);
