// From the target space to the sequence one run probes: the index space is
// every (address, port) pair; it is walked in order or through a seeded
// permutation, and shard i/n takes positions i-1, i-1+n, i-1+2n, ... of that
// walk (masscan's start + stride). The n shards are therefore disjoint and
// cover the space exactly, with or without a shuffle, as long as they share
// the seed.

import { UsageError } from '../errors.js';
import { shown } from '../text/escape.js';
import { hostPort } from './ip.js';
import { Permutation } from './permutation.js';
import type { TargetSpace } from './space.js';

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

export interface OrderOptions {
  ports: number[];
  /** A seed for a pseudo-random order; sequential when absent. */
  shuffle?: string;
  shard?: Shard;
}

/** One (address, port) to probe and its place in this run's sequence. */
export interface OrderedTarget {
  /** 0-based position in this shard's sequence (what a checkpoint counts). */
  position: number;
  ip: string;
  port: number;
}

/** Parses `i/n` (1 <= i <= n). */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || total < 1 || index < 1 || index > total) {
    throw new UsageError(
      `invalid --shard '${shown(text)}': expected i/n with 1 <= i <= n, e.g. 1/4`,
      'run the n shards with the same targets (and the same --shuffle seed), one on each machine',
    );
  }
  return { index, total };
}

/** The probe sequence of one shard of a target space. */
export class TargetOrder {
  /** Pairs in the whole space: addresses x ports. */
  readonly totalPairs: number;
  /** Positions in this shard. */
  readonly size: number;
  private readonly perm: Permutation | null;
  private readonly first: number;
  private readonly stride: number;

  constructor(
    readonly space: TargetSpace,
    readonly options: OrderOptions,
  ) {
    const ports = options.ports.length;
    this.totalPairs = space.count * ports;
    if (!Number.isSafeInteger(this.totalPairs) || this.totalPairs > 2 ** 52) {
      throw new UsageError(`${space.count} addresses x ${ports} ports is too many targets`);
    }
    this.first = (options.shard?.index ?? 1) - 1;
    this.stride = options.shard?.total ?? 1;
    this.size =
      this.totalPairs > this.first ? Math.ceil((this.totalPairs - this.first) / this.stride) : 0;
    this.perm =
      options.shuffle !== undefined && this.totalPairs > 0
        ? new Permutation(this.totalPairs, options.shuffle)
        : null;
  }

  /** The pair index (into addresses x ports) at a position of this shard. */
  indexAt(position: number): number {
    const global = this.first + position * this.stride;
    return this.perm ? this.perm.at(global) : global;
  }

  /** The target at one position. */
  at(position: number): OrderedTarget {
    const { ports } = this.options;
    const index = this.indexAt(position);
    const address = Math.floor(index / ports.length);
    return {
      position,
      ip: this.space.addressAt(address),
      port: ports[index % ports.length] as number,
    };
  }

  /** The targets at positions [from, to). */
  *items(from = 0, to = this.size): Generator<OrderedTarget> {
    const { ports } = this.options;
    const nPorts = ports.length;
    const end = Math.min(to, this.size);
    if (from >= end) return;
    if (!this.perm && nPorts === 1) {
      // Sequential, one port: walk the spans without a search per address.
      const port = ports[0] as number;
      let position = from;
      for (const ip of this.space.addresses(this.first + from * this.stride, this.stride)) {
        yield { position: position++, ip, port };
        if (position >= end) return;
      }
      return;
    }
    for (let position = from; position < end; position++) yield this.at(position);
  }

  /** True when listing can take the fast path: sequential IPv4, one port, no shard stride. */
  get isPlainIPv4Walk(): boolean {
    return (
      !this.perm && this.options.ports.length === 1 && this.stride === 1 && this.space.count6 === 0
    );
  }
}

const OCTETS = Array.from({ length: 256 }, (_, i) => String(i));
/** Each octet's decimal digits as bytes. */
const OCTET_BYTES = OCTETS.map((text) => Uint8Array.from(text, (c) => c.charCodeAt(0)));

/**
 * The whole list as text chunks of about `chunkChars`, one address per line
 * (`address:port` when several ports are probed). A chunk's lines are
 * written as bytes into one buffer, so a chunk is one string, not thousands
 * joined: the joins lived long enough to be promoted, and with the young
 * generation kept small (heap.ts) a /8 took 3.1 s and 78 MB, its shuffle 9-12
 * s. Fast paths: for the common sweep the first three octets change once
 * every 256 lines; IPv4 alone on one port in any order is written from the
 * address's number, with no target object or address text.
 */
export function* listLines(order: TargetOrder, chunkChars = 1 << 16): Generator<string> {
  if (order.isPlainIPv4Walk) {
    // Room for a whole block of 256 lines (16 bytes each at most) past the size.
    const buf = Buffer.allocUnsafe(chunkChars + 256 * 16);
    let len = 0;
    for (const [start, end] of order.space.spans4()) {
      for (let n = start; n <= end; ) {
        // The block's first line starts with its prefix; the others copy it from there.
        const at = len;
        const prefixLength = buf.write(
          `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.`,
          at,
          'latin1',
        );
        const blockEnd = Math.min(end, (n | 255) >>> 0);
        for (let low = n & 255; n <= blockEnd; n++, low++) {
          if (len !== at) buf.copyWithin(len, at, at + prefixLength);
          len += prefixLength;
          const digits = OCTET_BYTES[low] as Uint8Array;
          for (let k = 0; k < digits.length; k++) buf[len++] = digits[k] as number;
          buf[len++] = 10;
        }
        if (len >= chunkChars) {
          yield buf.toString('latin1', 0, len);
          len = 0;
        }
      }
    }
    if (len > 0) yield buf.toString('latin1', 0, len);
    return;
  }
  if (order.options.ports.length === 1 && order.space.count6 === 0) {
    // IPv4 alone, one port, in any order (--shuffle, --shard): numbers to bytes.
    const buf = Buffer.allocUnsafe(chunkChars + 16);
    let len = 0;
    for (let position = 0; position < order.size; position++) {
      const n = order.space.ipv4At(order.indexAt(position));
      for (let shift = 24; shift >= 0; shift -= 8) {
        const digits = OCTET_BYTES[(n >>> shift) & 255] as Uint8Array;
        for (let k = 0; k < digits.length; k++) buf[len++] = digits[k] as number;
        buf[len++] = shift === 0 ? 10 : 46;
      }
      if (len >= chunkChars) {
        yield buf.toString('latin1', 0, len);
        len = 0;
      }
    }
    if (len > 0) yield buf.toString('latin1', 0, len);
    return;
  }
  const several = order.options.ports.length > 1;
  // Room for one line past the size: `[IPv6]:port` is 48 characters at most.
  const buf = Buffer.allocUnsafe(chunkChars + 64);
  let len = 0;
  for (const t of order.items()) {
    len += buf.write(several ? hostPort(t.ip, t.port) : t.ip, len, 'latin1');
    buf[len++] = 10;
    if (len >= chunkChars) {
      yield buf.toString('latin1', 0, len);
      len = 0;
    }
  }
  if (len > 0) yield buf.toString('latin1', 0, len);
}
