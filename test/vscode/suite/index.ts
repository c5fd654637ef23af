// The integration suite's entry point, in the form @vscode/test-electron expects: VS Code
// loads this module in the extension host and awaits `run()`. The same file serves the
// code-server route (test/vscode/runner), which names a report file in the environment
// because the extension host's console does not reach the terminal there.
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** The runner's settings: the environment, or the file the code-server runner writes beside this module for VS Code builds that drop the environment it asks for. */
function setting(name: string): string | undefined {
  if (process.env[name] !== undefined) return process.env[name];
  const file = join(__dirname, 'environment.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | undefined>)[name] : undefined;
}

export function run(): Promise<void> {
  const report = setting('POOLSCOPE_TEST_REPORT');
  if (report) {
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) => appendFileSync(report, format(...args) + '\n');
  }
  const mocha = new Mocha({
    ui: 'bdd',
    color: !report,
    timeout: 60_000,
    grep: setting('POOLSCOPE_TEST_GREP'),
  });
  // A workspace opened untrusted gets the suite written for one; a benchmark run its benchmarks;
  // a trusted workspace the rest.
  const suffix = { untrusted: '.untrusted.js', bench: '.bench.js' }[setting('POOLSCOPE_TEST_WORKSPACE') ?? ''] ?? '.test.js';
  for (const f of readdirSync(__dirname).sort()) if (f.endsWith(suffix)) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
