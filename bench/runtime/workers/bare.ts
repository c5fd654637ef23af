// The floor: a plain message echo that runs the task, nothing else.
import { parentPort } from 'node:worker_threads';
import { tasks, type TaskName } from '../tasks';

const port = parentPort!;
port.on('message', (m: { id: number; task: TaskName; arg?: number }) => {
  port.postMessage({ id: m.id, result: tasks[m.task](m.arg ?? 0) });
});
