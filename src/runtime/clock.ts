// One clock for every thread of a run. performance.now() has a per-thread origin, so each
// thread pins its origin to process.hrtime (libuv's CLOCK_MONOTONIC, shared by the whole
// process) once, and from then on reads the cheap performance.now().
const offsetUs = Number(process.hrtime.bigint()) / 1000 - performance.now() * 1000;

/** Microseconds on the process-wide monotonic clock. */
export function nowUs(): number {
  return performance.now() * 1000 + offsetUs;
}
