// Lesson: executor.map submits everything at once and yields results in input order; the
// first failing item throws there, after the earlier results, and the rest is cancelled.
import { ThreadPoolExecutor, sleep } from 'poolscope';

export async function parse(text: string): Promise<number> {
  await sleep(200); // e.g. a slow lookup
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return n;
}

export async function main() {
  await using ex = new ThreadPoolExecutor({ maxWorkers: 1 }); // one at a time: items after the failure are still queued
  const got: number[] = [];
  try {
    for await (const n of ex.map(parse, ['1', '2', 'three', '4', '5', '6'])) got.push(n);
  } catch (e) {
    console.log(`map raised at the third item: ${(e as Error).message}`);
  }
  console.log(`results before the error: ${got.join(', ')}`);
}
