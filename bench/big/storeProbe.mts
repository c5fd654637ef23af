// One big run in this process, as the CLI's host runs it (the built runtime in dist/), then what
// its store keeps and what each export costs. Run by bench/big/run.mts with --expose-gc; prints
// one JSON line.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, taskFile, outDir] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc!;
const retained = () => {
  for (let k = 0; k < 3; k++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const host = await import(pathToFileURL(join(root, 'dist', 'test-host.mjs')).href);
const { writeTraceFile } = await import(pathToFileURL(join(root, 'src', 'trace', 'traceFile.ts')).href);
const { htmlReport } = await import(pathToFileURL(join(root, 'src', 'cli', 'htmlReport.ts')).href);
const { writeChunks } = await import(pathToFileURL(join(root, 'src', 'trace', 'writeChunks.ts')).href);
const before = retained();
let records = 0;
const t0 = performance.now();
const result = await host.startRun(taskFile, { workers: 2, trace: true, onProgress: (p: { records: number }) => (records = p.records) }).done;
const runMs = performance.now() - t0;
const store = result.store;
const after = retained();
const tasks = [...store.jobs.values()].reduce((n: number, j: { tasks: readonly number[] }) => n + j.tasks.length, 0);
const out: Record<string, unknown> = {
  outcome: result.outcome,
  runMs,
  records,
  tasks,
  spans: store.spanCount,
  jobs: store.jobs.size,
  storeBytes: after - before,
};
const exports: Record<string, { ms: number; bytes: number }> = {};
for (const [name, file] of [
  ['json', 'out.json'],
  ['perfetto', 'out.perfetto-trace'],
] as const) {
  const t = performance.now();
  await writeTraceFile(join(outDir, file), store);
  exports[name] = { ms: performance.now() - t, bytes: statSync(join(outDir, file)).size };
}
const findings = (await host.analyze(store)).map((f: { rule: string; severity: string; message: string; site?: unknown; related: unknown[]; spans: number[] }) => f);
const t = performance.now();
await writeChunks(join(outDir, 'out.html'), htmlReport(store, findings, { assetsDir: join(root, 'media', 'dist') }));
exports.html = { ms: performance.now() - t, bytes: statSync(join(outDir, 'out.html')).size };
out.exports = exports;
console.log(JSON.stringify(out));
