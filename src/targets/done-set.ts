// Which positions of a run are done: a low-water mark (every position below
// it is done) plus the done positions above it as sorted, disjoint, half-open
// ranges. Positions finish out of order (a silent host holds its slot while
// thousands after it are refused), so the mark alone would either lose the
// ones past it or probe (and write) them twice on resume.

/** A half-open range of positions, [from, to). */
export type Range = readonly [from: number, to: number];

export class DoneSet {
  private ranges: Range[] = [];

  constructor(
    /** Every position below this is done. */
    public mark = 0,
    ranges: readonly Range[] = [],
  ) {
    this.addSorted(ranges);
  }

  /** Done ranges above the mark, sorted and disjoint. */
  get above(): readonly Range[] {
    return this.ranges;
  }

  /** Positions done, in all. */
  get count(): number {
    let n = this.mark;
    for (const [a, b] of this.ranges) n += b - a;
    return n;
  }

  has(position: number): boolean {
    if (position < this.mark) return true;
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.ranges[mid] as Range;
      if (position < a) hi = mid - 1;
      else if (position >= b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Adds positions in any order; returns them as sorted, merged ranges. */
  add(positions: ArrayLike<number>): Range[] {
    const sorted = Float64Array.from(positions).sort();
    const batch: Range[] = [];
    let start = -1;
    let end = -1;
    for (const p of sorted) {
      if (p === end) end++;
      else if (p >= end) {
        if (start >= 0) batch.push([start, end]);
        start = p;
        end = p + 1;
      }
    }
    if (start >= 0) batch.push([start, end]);
    this.addSorted(batch);
    return batch;
  }

  /** Merges sorted, disjoint ranges in, then moves the mark over what is contiguous. */
  addSorted(batch: readonly Range[]): void {
    if (batch.length === 0) return;
    const out: Range[] = [];
    let i = 0;
    let j = 0;
    const push = (r: Range): void => {
      const last = out[out.length - 1];
      if (last && r[0] <= last[1]) {
        if (r[1] > last[1]) out[out.length - 1] = [last[0], r[1]];
      } else out.push(r);
    };
    while (i < this.ranges.length || j < batch.length) {
      const a = this.ranges[i];
      const b = batch[j];
      if (b === undefined || (a !== undefined && a[0] <= b[0])) {
        push(a as Range);
        i++;
      } else {
        push(b);
        j++;
      }
    }
    let k = 0;
    while (k < out.length) {
      const r = out[k] as Range;
      if (r[1] <= this.mark) k++;
      else if (r[0] <= this.mark) {
        this.mark = r[1];
        k++;
      } else break;
    }
    this.ranges = out.slice(k);
  }

  /** The positions in [from, to) that are not done, as ranges of at most `max` positions. */
  *gaps(from: number, to: number, max = Number.POSITIVE_INFINITY): Generator<Range> {
    let p = Math.max(from, this.mark);
    let i = 0;
    while (p < to) {
      while (i < this.ranges.length && (this.ranges[i] as Range)[1] <= p) i++;
      const r = this.ranges[i];
      if (r && r[0] <= p) {
        p = r[1];
        continue;
      }
      const end = Math.min(to, r ? r[0] : to, p + max);
      yield [p, end];
      p = end;
    }
  }
}
