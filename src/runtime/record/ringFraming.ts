// How records sit in a shared-memory ring (the event rings and the pools' task queues): the data
// area is a power of two in bytes, positions are free-running 32-bit counts of bytes written and
// read, and each record is 8-aligned and begins with its i32 byte length. A record that does not
// fit before the area's end starts again at its beginning, and the tail it skips is marked PAD.

const PAD = -1;

/** The room a record of `size` bytes takes at write count `w`: its size, plus the tail it skips if it wraps. */
export function roomFor(cap: number, w: number, size: number): number {
  const tail = cap - (w & (cap - 1));
  return size > tail ? tail + size : size;
}

/**
 * The write count at which a record of `size` bytes starts when written at `w`: `w` itself, or
 * the area's beginning after marking the tail it skips. Called once room was made (roomFor).
 */
export function recordStart(i32: Int32Array, cap: number, w: number, size: number): number {
  const pos = w & (cap - 1);
  const tail = cap - pos;
  if (size <= tail) return w;
  i32[pos >> 2] = PAD;
  return (w + tail) >>> 0;
}

/** The read count of the record at read count `r`: past the tail it skipped, if it wrapped. */
export function skipPadding(i32: Int32Array, cap: number, r: number): number {
  const pos = r & (cap - 1);
  return i32[pos >> 2] === PAD ? (r + cap - pos) >>> 0 : r;
}
