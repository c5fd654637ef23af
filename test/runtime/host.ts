// The host side the conformance tests drive, bundled into dist/ by esbuild.mjs so the tests
// run the built runtime exactly as the CLI and the extension do (worker scripts from dist/).
export { startRun, type RunResult, type RunOptions } from '../../src/runtime/host/run';
export { analyze, type Finding } from '../../src/analysis';
export { chromeTraceText, readChromeTrace } from '../../src/trace/chromeTrace';
export { startPythonRun, type PythonRunOptions } from '../../src/runtime/python/pythonRun';
