import { ClusterWorker } from 'poolifier';
import { tasks } from '../tasks';

export default new ClusterWorker<number | undefined, unknown>({ noop: tasks.noop, busy: (us) => tasks.busy(us ?? 0) });
