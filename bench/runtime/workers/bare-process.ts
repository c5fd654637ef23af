// The process floor: a child that echoes each message over the IPC channel (advanced
// serialization, structured clone like poolscope's) after running the task, nothing else.
import { tasks, type TaskName } from '../tasks';

process.on('message', (m: { id: number; task: TaskName; arg?: number }) => {
  process.send!({ id: m.id, result: tasks[m.task](m.arg ?? 0) });
});
