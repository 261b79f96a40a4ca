// The target space: every spec merged into sorted, disjoint ranges, so each
// address is probed once; counted exactly, iterated lazily, never materialised.

import { formatIPv4, formatIPv6 } from './ip.js';
import type { AddressRange } from './spec.js';

interface Span<T> {
  start: T;
  end: T;
}

/** Sorts and merges overlapping and adjacent spans (10.0.0.0/24 + 10.0.1.0/24 = one span). */
function merge(spans: Span<bigint>[]): Span<bigint>[] {
  const sorted = [...spans].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Span<bigint>[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + 1n) {
      if (s.end > last.end) last.end = s.end;
    } else {
      out.push({ start: s.start, end: s.end });
    }
  }
  return out;
}

/** A set of IPv4 and IPv6 addresses, IPv4 first, each family in ascending order. */
export class TargetSpace {
  readonly v4: readonly Span<number>[];
  readonly v6: readonly Span<bigint>[];
  /** How many distinct addresses. */
  readonly count: bigint;

  constructor(ranges: Iterable<AddressRange>) {
    const v4: Span<bigint>[] = [];
    const v6: Span<bigint>[] = [];
    for (const r of ranges) (r.family === 4 ? v4 : v6).push({ start: r.start, end: r.end });
    // IPv4 spans are iterated as plain numbers: much faster than BigInt.
    this.v4 = merge(v4).map((s) => ({ start: Number(s.start), end: Number(s.end) }));
    this.v6 = merge(v6);
    let count = 0n;
    for (const s of this.v4) count += BigInt(s.end - s.start + 1);
    for (const s of this.v6) count += s.end - s.start + 1n;
    this.count = count;
  }

  /** Every address as text, in order. */
  *addresses(): Generator<string> {
    for (const s of this.v4) for (let n = s.start; n <= s.end; n++) yield formatIPv4(n);
    for (const s of this.v6) for (let n = s.start; n <= s.end; n++) yield formatIPv6(n);
  }
}
