// Lesson: maxtasksperchild replaces a Pool's worker process after that many tasks (a map chunk
// counts as one): state a task leaves in its process (a cache, a leak) is gone with it.
import { Pool } from 'poolscope';

const seenHere: number[] = [];

export function remember(n: number): string {
  seenHere.push(n);
  return `pid ${process.pid} has seen ${seenHere.join(', ')}`;
}

export async function main() {
  const pool = new Pool({ processes: 1, maxtasksperchild: 2 });
  for (const n of [1, 2, 3, 4, 5]) console.log(await pool.apply(remember, [n]));
  console.log(`a map in chunks of 3 is two tasks: ${(await pool.map(remember, [6, 7, 8, 9, 10, 11], 3)).at(-1)}`);
  pool.close();
  await pool.join();
}
