// Markup in every place a program's text reaches the inspector: arguments, results, errors,
// printed output, a callback's name and (when copied into such a folder) the file's own path.
// Each payload would set window.__pwned if it ever became markup or script.
import { ThreadPool } from 'poolscope';

const payload = (where: string) => `<img src=x onerror="window.__pwned='${where}'"><script>window.__pwned='${where}'</script>`;

export function echo(s: string): string {
  console.log(payload('output'));
  return payload('result') + s.length;
}

export function fail(s: string): never {
  throw new Error(payload('error') + s.length);
}

export async function main() {
  await using pool = new ThreadPool({ processes: 1 });
  const callback = Object.defineProperty(() => undefined, 'name', { value: payload('callback name') });
  await pool.applyAsync(echo, [payload('argument')], { callback }).wait();
  try {
    await pool.apply(fail, [payload('argument')]);
  } catch {
    // looked at, so only the unretrieved one below is a finding
  }
  await pool.applyAsync(fail, ['unseen']).wait();
}
