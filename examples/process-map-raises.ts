// Lesson: ProcessPoolExecutor.map submits every item at once to the worker processes and yields
// results in input order; the first failing item throws there, after the results before it,
// and the items not yet started are cancelled.
import { ProcessPoolExecutor, sleep } from 'poolscope';

export async function parse(text: string): Promise<number> {
  await sleep(200); // e.g. a slow lookup
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return n;
}

export async function main() {
  await using ex = new ProcessPoolExecutor({ maxWorkers: 1 }); // one at a time: items after the failure are still queued
  const got: number[] = [];
  try {
    for await (const n of ex.map(parse, ['1', '2', 'three', '4', '5', '6'])) got.push(n);
  } catch (e) {
    console.log(`map raised at the third item: ${(e as Error).message}`);
  }
  console.log(`results before the error: ${got.join(', ')}`);
}
