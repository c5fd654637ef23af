// Lesson: a ProcessPoolExecutor whose initializer throws is broken: its worker process dies, and
// every pending future fails with BrokenProcessPool ("... terminated abruptly while the future
// was running or pending."); submit() then throws BrokenProcessPool too, with Python's other
// message ("... the process pool is not usable anymore").
import { ProcessPoolExecutor } from 'poolscope';

export function connect(url: string): void {
  throw new Error(`cannot connect to ${url}`);
}

export function fetchRow(id: number): string {
  return `row ${id}`;
}

export async function main() {
  const ex = new ProcessPoolExecutor({ maxWorkers: 2, initializer: connect, initargs: ['db://nowhere'] });
  const futures = [1, 2, 3].map((id) => ex.submit(fetchRow, id));
  for (const f of futures) {
    const e = (await f.exception()) as Error;
    console.log(`future failed: ${e.name}: ${e.message}`);
  }
  try {
    ex.submit(fetchRow, 4);
  } catch (e) {
    console.log(`submit() after: ${(e as Error).name}: ${(e as Error).message}`);
  }
  await ex.shutdown();
}
