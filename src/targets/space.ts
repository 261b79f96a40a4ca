// The target space (masscan's model): every spec merged into sorted, disjoint
// ranges minus the excludes, counted exactly, addressed by index through a
// binary search over cumulative counts, never materialised. IPv4 spans live
// in typed arrays, so a list of millions of scattered addresses stays compact.

import { formatIPv4, formatIPv6 } from './ip.js';
import type { AddressRange } from './spec.js';

interface BigSpan {
  start: bigint;
  end: bigint;
}

/** A TargetSpace's spans in a form postMessage can carry (structured clone). */
export interface SpaceParts {
  starts4: Uint32Array;
  ends4: Uint32Array;
  v6: BigSpan[];
}

/** A growable pair of Uint32Arrays. */
class U32Pairs {
  a = new Uint32Array(1024);
  b = new Uint32Array(1024);
  length = 0;
  push(x: number, y: number): void {
    if (this.length === this.a.length) {
      const a = new Uint32Array(this.a.length * 2);
      const b = new Uint32Array(this.a.length * 2);
      a.set(this.a);
      b.set(this.b);
      this.a = a;
      this.b = b;
    }
    this.a[this.length] = x;
    this.b[this.length] = y;
    this.length++;
  }
}

/** Collects ranges as they stream in: single IPv4 addresses (the bulk of any list) in a typed array. */
export class RangeCollector {
  private singles = new Uint32Array(1024);
  private nSingles = 0;
  private readonly v4: BigSpan[] = [];
  private readonly v6: BigSpan[] = [];

  add(r: AddressRange): void {
    if (r.family === 6) {
      this.v6.push({ start: r.start, end: r.end });
    } else if (r.start === r.end) {
      if (this.nSingles === this.singles.length) {
        const grown = new Uint32Array(this.singles.length * 2);
        grown.set(this.singles);
        this.singles = grown;
      }
      this.singles[this.nSingles++] = Number(r.start);
    } else {
      this.v4.push({ start: r.start, end: r.end });
    }
  }

  /** Merged IPv4 spans (sorted, disjoint, non-adjacent) and merged IPv6 spans. */
  finish(): { v4: U32Pairs; v6: BigSpan[] } {
    const singles = this.singles.subarray(0, this.nSingles).sort();
    const ranges = this.v4.sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
    const out = new U32Pairs();
    let i = 0;
    let j = 0;
    let curStart = -1;
    let curEnd = -1;
    const take = (s: number, e: number): void => {
      if (curStart >= 0 && s <= curEnd + 1) {
        if (e > curEnd) curEnd = e;
        return;
      }
      if (curStart >= 0) out.push(curStart, curEnd);
      curStart = s;
      curEnd = e;
    };
    // Merge two sorted streams: singles and ranges.
    while (i < singles.length || j < ranges.length) {
      const r = ranges[j];
      const s = singles[i];
      if (r !== undefined && (s === undefined || Number(r.start) <= s)) {
        take(Number(r.start), Number(r.end));
        j++;
      } else {
        take(s as number, s as number);
        i++;
      }
    }
    if (curStart >= 0) out.push(curStart, curEnd);
    return { v4: out, v6: mergeBig(this.v6) };
  }
}

function mergeBig(spans: BigSpan[]): BigSpan[] {
  const sorted = [...spans].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: BigSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + 1n) {
      if (s.end > last.end) last.end = s.end;
    } else out.push({ ...s });
  }
  return out;
}

/** Removes `minus` (sorted, disjoint) from `spans` (sorted, disjoint), emitting what is left. */
function subtract<T extends number | bigint>(
  spans: Iterable<[T, T]>,
  minus: readonly [T, T][],
  step: { next: (x: T) => T; prev: (x: T) => T },
  emit: (s: T, e: T) => void,
): void {
  let k = 0;
  for (const [start, end] of spans) {
    while (k < minus.length && (minus[k] as [T, T])[1] < start) k++;
    let s = start;
    for (let m = k; ; m++) {
      const cut = minus[m];
      if (!cut || cut[0] > end) {
        emit(s, end);
        break;
      }
      if (cut[0] > s) emit(s, step.prev(cut[0]));
      if (cut[1] >= end) break;
      s = step.next(cut[1]);
    }
  }
}

const NUM = { next: (x: number) => x + 1, prev: (x: number) => x - 1 };
const BIG = { next: (x: bigint) => x + 1n, prev: (x: bigint) => x - 1n };

/** A set of IPv4 and IPv6 addresses, IPv4 first, each family in ascending order. */
export class TargetSpace {
  private readonly starts4: Uint32Array;
  private readonly ends4: Uint32Array;
  private readonly v6: BigSpan[];
  /** cum[i]: how many addresses come before span i (IPv4 spans, then IPv6). */
  private readonly cum: Float64Array;
  /** How many distinct addresses. */
  readonly count: number;
  /** Addresses that came from hostname targets, with that name (kept as the record's hostname). */
  readonly names = new Map<string, string>();
  /**
   * Loopback addresses that `@local` stands for: an EPMD there answers this
   * machine only, so it is reported `local-only`, not as an exposure.
   */
  readonly localOnly = new Set<string>();
  private parts: SpaceParts | undefined;

  private constructor(starts4: Uint32Array, ends4: Uint32Array, v6: BigSpan[]) {
    this.starts4 = starts4;
    this.ends4 = ends4;
    this.v6 = v6;
    const n4 = this.starts4.length;
    this.cum = new Float64Array(n4 + v6.length + 1);
    let total = 0;
    for (let i = 0; i < n4; i++) {
      this.cum[i] = total;
      total += (this.ends4[i] as number) - (this.starts4[i] as number) + 1;
    }
    for (let i = 0; i < v6.length; i++) {
      this.cum[n4 + i] = total;
      const s = v6[i] as BigSpan;
      total += Number(s.end - s.start + 1n);
    }
    this.cum[n4 + v6.length] = total;
    this.count = total;
  }

  /** Builds the space from ranges, minus the excluded ranges. */
  static from(include: Iterable<AddressRange>, exclude: Iterable<AddressRange> = []): TargetSpace {
    const inc = new RangeCollector();
    for (const r of include) inc.add(r);
    const exc = new RangeCollector();
    for (const r of exclude) exc.add(r);
    const a = inc.finish();
    const b = exc.finish();
    return TargetSpace.subtracting(a, b);
  }

  /** From finished collectors (the streaming path). */
  static subtracting(
    a: ReturnType<RangeCollector['finish']>,
    b: ReturnType<RangeCollector['finish']>,
  ): TargetSpace {
    const minus4: [number, number][] = [];
    for (let i = 0; i < b.v4.length; i++) minus4.push([b.v4.a[i] as number, b.v4.b[i] as number]);
    const v4 = new U32Pairs();
    function* pairs4(): Generator<[number, number]> {
      for (let i = 0; i < a.v4.length; i++) yield [a.v4.a[i] as number, a.v4.b[i] as number];
    }
    subtract(pairs4(), minus4, NUM, (s, e) => v4.push(s, e));
    const v6: BigSpan[] = [];
    subtract(
      a.v6.map((s) => [s.start, s.end] as [bigint, bigint]),
      b.v6.map((s) => [s.start, s.end] as [bigint, bigint]),
      BIG,
      (s, e) => v6.push({ start: s, end: e }),
    );
    return new TargetSpace(v4.a.slice(0, v4.length), v4.b.slice(0, v4.length), v6);
  }

  /**
   * The spans, for another thread: the IPv4 arrays are copied once into shared
   * memory, so any number of workers read one copy.
   */
  toParts(): SpaceParts {
    const share = (a: Uint32Array): Uint32Array => {
      const shared = new Uint32Array(new SharedArrayBuffer(a.byteLength));
      shared.set(a);
      return shared;
    };
    this.parts ??= {
      starts4: share(this.starts4),
      ends4: share(this.ends4),
      v6: this.v6.map((s) => ({ start: s.start, end: s.end })),
    };
    return this.parts;
  }

  /** The space whose toParts() gave `parts` (hostname names stay behind). */
  static fromParts(parts: SpaceParts): TargetSpace {
    return new TargetSpace(parts.starts4, parts.ends4, parts.v6);
  }

  /** How many IPv6 addresses the space holds. */
  get count6(): number {
    return this.count - (this.cum[this.starts4.length] as number);
  }

  /** How many IPv6 addresses, exactly (count6 is a float for huge prefixes). */
  exactCount6(): bigint {
    let n = 0n;
    for (const s of this.v6) n += s.end - s.start + 1n;
    return n;
  }

  /** A digest input that changes whenever the set of addresses changes. */
  *fingerprintParts(): Generator<Uint8Array | string> {
    yield new Uint8Array(this.starts4.buffer, this.starts4.byteOffset, this.starts4.byteLength);
    yield new Uint8Array(this.ends4.buffer, this.ends4.byteOffset, this.ends4.byteLength);
    for (const s of this.v6) yield `${s.start.toString(16)}-${s.end.toString(16)};`;
  }

  /** Number of disjoint spans (IPv4 and IPv6). */
  get spans(): number {
    return this.starts4.length + this.v6.length;
  }

  /** The span holding index i (0 <= i < count), by binary search. */
  private spanAt(i: number): number {
    let lo = 0;
    let hi = this.cum.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.cum[mid] as number) <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The address at index i (0 <= i < count). */
  addressAt(i: number): string {
    const span = this.spanAt(i);
    const offset = i - (this.cum[span] as number);
    const n4 = this.starts4.length;
    if (span < n4) return formatIPv4((this.starts4[span] as number) + offset);
    return formatIPv6((this.v6[span - n4] as BigSpan).start + BigInt(offset));
  }

  /** The IPv4 address at index i as a number, in a space of IPv4 addresses only (count6 = 0). */
  ipv4At(i: number): number {
    const span = this.spanAt(i);
    return (this.starts4[span] as number) + (i - (this.cum[span] as number));
  }

  /** Every address as text, in order, from index `from` in steps of `step`. */
  *addresses(from = 0, step = 1): Generator<string> {
    let i = from;
    const n4 = this.starts4.length;
    for (let span = 0; span < n4; span++) {
      const base = this.cum[span] as number;
      const next = this.cum[span + 1] as number;
      const start = this.starts4[span] as number;
      for (; i < next; i += step) yield formatIPv4(start + (i - base));
    }
    for (let span = 0; span < this.v6.length; span++) {
      const base = this.cum[n4 + span] as number;
      const next = this.cum[n4 + span + 1] as number;
      const start = (this.v6[span] as BigSpan).start;
      for (; i < next; i += step) yield formatIPv6(start + BigInt(i - base));
    }
  }

  /** Whether the space holds an address (binary search over the spans of its family). */
  has(family: 4 | 6, value: bigint): boolean {
    if (family === 6) return this.v6.some((s) => s.start <= value && value <= s.end);
    const n = Number(value);
    let lo = 0;
    let hi = this.starts4.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (n < (this.starts4[mid] as number)) hi = mid - 1;
      else if (n > (this.ends4[mid] as number)) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** IPv4 spans as [start, end] numbers (for fast listing). */
  *spans4(): Generator<[number, number]> {
    for (let i = 0; i < this.starts4.length; i++) {
      yield [this.starts4[i] as number, this.ends4[i] as number];
    }
  }
}
