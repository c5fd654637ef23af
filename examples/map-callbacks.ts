// Lesson: mapAsync and starmapAsync call their callback once, with the whole result list in
// input order, on the Callback thread, after every chunk is done.
import { ThreadPool, sleep } from 'poolscope';

export async function cube(x: number): Promise<number> {
  await sleep(10 * (5 - x)); // later inputs finish first
  return x ** 3;
}

export function power(base: number, exp: number): number {
  return base ** exp;
}

export async function main() {
  await using pool = new ThreadPool({ processes: 3 });
  const cubes = pool.mapAsync(cube, [1, 2, 3, 4], {
    chunksize: 1,
    callback: function onCubes(values) {
      console.log(`mapAsync callback, once, in input order: ${values.join(', ')}`);
    },
  });
  // prettier-ignore
  const powers = pool.starmapAsync(power, [[2, 3], [3, 2], [10, 0]], {
    callback: function onPowers(values) {
      console.log(`starmapAsync callback: ${values.join(', ')}`);
    },
  });
  const none = pool.mapAsync(cube, [], { callback: () => console.log('never printed: an empty map has no callback') });
  await Promise.all([cubes.wait(), powers.wait(), none.wait()]);
  console.log(`empty map ready at once: ${none.ready()}, value ${JSON.stringify(await none.get())}`);
  pool.close();
  await pool.join();
}
