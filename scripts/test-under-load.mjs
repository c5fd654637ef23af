// The suite on a loaded machine: the unit, runtime and browser suites run N times in a row while
// busy-loop processes keep every core busy, as on a shared CI machine. Each round's result and
// the load average are printed; the exit code is non-zero if any round failed.
//   node scripts/test-under-load.mjs [--rounds 3] [--loops 4]
// Build first (`npm run build`): the rounds test what is built, as `npm test` does.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const rounds = option('--rounds', 3);
const loops = option('--loops', 4);
const mocha = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const suites = [
  ['unit and runtime', []],
  ['browser', ['--config', 'test/browser/.mocharc.json']],
];

const busy = Array.from({ length: loops }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
const stopBusy = () => busy.forEach((p) => p.kill('SIGKILL'));
process.on('exit', stopBusy);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBusy();
    process.exit(130);
  });
}

/** Runs node with `args` (asynchronously, so an interrupt still ends the busy loops at once). */
function run(args) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd: ROOT });
    const chunks = [];
    p.stdout.on('data', (c) => chunks.push(c));
    p.stderr.on('data', (c) => chunks.push(c));
    p.on('close', (status) => resolve({ status, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

const results = [];
for (let round = 1; round <= rounds; round++) {
  for (const [name, args] of suites) {
    const started = Date.now();
    const r = await run([mocha, ...args]);
    const out = r.output;
    const counts = ['passing', 'failing', 'pending'].map((k) => `${out.match(new RegExp(`(\\d+) ${k}`))?.[1] ?? 0} ${k}`).join(', ');
    const line = `round ${round}, ${name}: exit ${r.status}, ${counts}, ${Math.round((Date.now() - started) / 1000)} s, load average ${loadavg()[0].toFixed(1)}`;
    console.log(line);
    if (r.status !== 0) console.log(out.slice(out.indexOf(' failing') - 20));
    results.push(r.status === 0);
  }
}
stopBusy();
const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
