// Lesson: an error in a task that runs in another process is not lost: it comes back with its
// class and message. Three ways to see it: handle it inside the task, get it thrown by
// result(), or get it returned by exception(). A failed future nobody asks is an error nobody
// sees (leaving `await using` waits for it, but does not look).
import { ProcessPoolExecutor, ValueError } from 'poolscope';

export function parse(text: string): number {
  const n = Number(text);
  if (Number.isNaN(n)) throw new ValueError(`not a number: ${JSON.stringify(text)}`);
  return n;
}

export function parseOr(text: string, fallback: number): number {
  try {
    return parse(text);
  } catch (e) {
    console.log(`handled inside the task, in pid ${process.pid}: ${(e as Error).message}`);
    return fallback;
  }
}

export async function main() {
  await using ex = new ProcessPoolExecutor({ maxWorkers: 2 });
  console.log(`inside the task: ${await ex.submit(parseOr, 'x', -1).result()}`);
  try {
    await ex.submit(parse, 'y').result();
  } catch (e) {
    console.log(`result() threw ${(e as Error).name}: ${(e as Error).message}`);
  }
  const e = await ex.submit(parse, 'z').exception();
  console.log(`exception() returned ${(e as Error).name}: ${(e as Error).message}`);
  console.log(`exception() of a success: ${await ex.submit(parse, '7').exception()}`);
  ex.submit(parse, 'w'); // fails too, and nobody asks: its error is never seen (error-unretrieved)
}
