/**
 * Whether this build carries the hooks tests and benchmarks read (the inspector's probe, the
 * `poolscope.inspectorStats` command). esbuild.mjs defines it: true for `npm run build`, false
 * for a release build (`--release`, which `npm run package` makes), so none of it ships.
 */
declare const POOLSCOPE_TEST_HOOKS: boolean;
