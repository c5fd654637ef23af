import { ThreadWorker } from 'poolifier';
import { tasks } from '../tasks';

export default new ThreadWorker<number | undefined, unknown>({ noop: tasks.noop, busy: (us) => tasks.busy(us ?? 0) });
