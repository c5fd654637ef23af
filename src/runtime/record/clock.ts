// One clock for every thread of a run. performance.now() has a per-thread origin, so each
// thread pins its origin to process.hrtime (libuv's CLOCK_MONOTONIC, shared by the whole
// process) once, and from then on reads the cheap performance.now().

function measureOffsetUs(): number {
  // The first calls of both clocks are slow (lazy set-up); warm them, then keep the reading
  // bracketed most tightly by two hrtime samples, so the offset is good to well under 1 µs.
  process.hrtime.bigint();
  performance.now();
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const a = Number(process.hrtime.bigint()) / 1000;
    const p = performance.now() * 1000;
    const b = Number(process.hrtime.bigint()) / 1000;
    if (b - a < best) {
      best = b - a;
      offset = (a + b) / 2 - p;
    }
  }
  return offset;
}

const offsetUs = measureOffsetUs();

/** Microseconds on the process-wide monotonic clock. */
export function nowUs(): number {
  return performance.now() * 1000 + offsetUs;
}
