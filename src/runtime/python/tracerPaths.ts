// Where poolscope's Python tracer lives: python/poolscope_tracer beside dist/ (in the repository,
// the npm package and the extension alike).
import { join } from 'node:path';
import { DIST_DIR } from '../host/distPaths';

export const TRACER_MAIN = join(DIST_DIR, '..', 'python', 'poolscope_tracer', '__main__.py');

/** The environment variables the tracer reads (and takes out of the program's environment). */
export const RUN_DIR_ENV = 'POOLSCOPE_RUN_DIR';
export const TASKS_ENV = 'POOLSCOPE_TASKS';
/** What the tracer writes in the run folder when the program cannot start. */
export const BAD_INPUT_FILE = 'bad-input.json';
/** What the tracer writes in the run folder when the host signals it (WHERE_MAIN_SIGNAL) as it stops the run: where main is ('file:line:col'). */
export const WHERE_MAIN_FILE = 'where-main';
export const WHERE_MAIN_SIGNAL = 'SIGUSR2';
