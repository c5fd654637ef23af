// A deferred: a promise and the function that resolves it, for an event a few callers may await: results
// and futures make one only when first awaited, as most of a big batch never are.
export interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

export function newDeferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
