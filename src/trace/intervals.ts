// The union of time intervals [start, end), where overlapping intervals count once: main's
// awaits overlap one another, and a wait nested in a callback is no extra time.

/** Intervals added in order of their start, merged as they come. */
export class IntervalUnion {
  private from = -Infinity;
  private to = -Infinity;
  private length = 0;

  /** `pieces`, when given, receives the union's disjoint pieces in order. */
  constructor(private readonly pieces?: [number, number][]) {}

  add(start: number, end: number): void {
    if (start > this.to) {
      this.close();
      this.from = start;
      this.to = end;
    } else if (end > this.to) this.to = end;
  }

  /** The union's total length, its last piece included: called once, after the last add. */
  finish(): number {
    this.close();
    return this.length;
  }

  private close(): void {
    if (this.to <= this.from) return;
    this.length += this.to - this.from;
    this.pieces?.push([this.from, this.to]);
  }
}
