// 10,000 tasks, then main ends its thread with process.exit(3): how much of the trace survives.
import { ThreadPool } from 'poolscope';

export function square(x: number): number {
  return x * x;
}

export async function main() {
  const pool = new ThreadPool({ processes: 2 });
  const results = await pool.map(
    square,
    Array.from({ length: 10_000 }, (_, i) => i),
    1,
  );
  console.log(`${results.length} results`);
  process.exit(3);
}
