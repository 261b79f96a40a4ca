import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { hostPort } from '../../../src/targets/ip.js';
import { listLines, parseShard, TargetOrder } from '../../../src/targets/order.js';
import { Permutation } from '../../../src/targets/permutation.js';
import { TargetSpace } from '../../../src/targets/space.js';

const v4 = (start: number, end: number) => ({
  family: 4 as const,
  start: BigInt(start),
  end: BigInt(end),
});
const key = (t: { ip: string; port: number }) => `${t.ip}:${t.port}`;

describe('Permutation', () => {
  it('is a bijection of [0, n), exhaustively for every n up to 300', () => {
    for (let n = 1; n <= 300; n++) {
      const p = new Permutation(n, `seed-${n}`);
      const seen = new Uint8Array(n);
      for (let i = 0; i < n; i++) seen[p.at(i)] = (seen[p.at(i)] ?? 0) + 1;
      expect(seen.every((c) => c === 1)).toBe(true);
    }
  });
  it('is a bijection for any n and seed (property, n up to 70,000)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), fc.string(), (n, seed) => {
        const p = new Permutation(n, seed);
        const seen = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const x = p.at(i);
          if (x < 0 || x >= n || seen[x]) return false;
          seen[x] = 1;
        }
        return true;
      }),
      { numRuns: 40 },
    );
  });
  it('is the same for the same seed and differs for another', () => {
    const order = (seed: string) =>
      Array.from({ length: 50 }, (_, i) => new Permutation(1000, seed).at(i));
    expect(order('a')).toEqual(order('a'));
    expect(order('a')).not.toEqual(order('b'));
  });
  it('handles a /8 times two ports without precision loss', () => {
    const n = 2 ** 25;
    const p = new Permutation(n, 'x');
    const sample = Array.from({ length: 2000 }, (_, i) => p.at(i * 16_000));
    expect(new Set(sample).size).toBe(2000);
    expect(sample.every((x) => Number.isInteger(x) && x >= 0 && x < n)).toBe(true);
  });
});

describe('shards', () => {
  const spaceArb = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 40 })), {
      minLength: 1,
      maxLength: 6,
    })
    .map((rs) => TargetSpace.from(rs.map(([s, len]) => v4(s, s + len))));

  it('are disjoint and cover the space exactly, with or without shuffle (property)', () => {
    fc.assert(
      fc.property(
        spaceArb,
        fc.integer({ min: 1, max: 9 }),
        fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
        fc.constantFrom<number[][]>([4369], [4369, 14369]),
        (space, n, shuffle, ports) => {
          const all = [...new TargetOrder(space, { ports }).items()].map(key);
          const union: string[] = [];
          for (let i = 1; i <= n; i++) {
            const order = new TargetOrder(space, { ports, shuffle, shard: { index: i, total: n } });
            const items = [...order.items()];
            expect(items).toHaveLength(order.size);
            union.push(...items.map(key));
          }
          expect(union.length).toBe(all.length);
          expect(new Set(union).size).toBe(union.length);
          expect([...union].sort()).toEqual([...all].sort());
        },
      ),
      { numRuns: 150 },
    );
  });
  it('exhaustively for small spaces: every size up to 40, every n up to 12', () => {
    for (let size = 0; size <= 40; size++) {
      const space = TargetSpace.from(size === 0 ? [] : [v4(100, 100 + size - 1)]);
      for (let n = 1; n <= 12; n++) {
        for (const shuffle of [undefined, 's']) {
          const seen: string[] = [];
          for (let i = 1; i <= n; i++) {
            seen.push(
              ...[
                ...new TargetOrder(space, {
                  ports: [1],
                  shuffle,
                  shard: { index: i, total: n },
                }).items(),
              ].map(key),
            );
          }
          expect(seen.length).toBe(size);
          expect(new Set(seen).size).toBe(size);
        }
      }
    }
  });
  it('resuming from a position yields exactly the rest of the sequence', () => {
    const space = TargetSpace.from([v4(0, 99), v4(500, 520)]);
    const order = new TargetOrder(space, {
      ports: [1, 2],
      shuffle: 'k',
      shard: { index: 2, total: 3 },
    });
    const full = [...order.items()];
    expect([...order.items(17)]).toEqual(full.slice(17));
    expect(full.map((t) => t.position)).toEqual(full.map((_, i) => i));
  });
  it('parseShard takes i/n and refuses the rest', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, total: 8 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '1/2/3'])
      expect(() => parseShard(bad)).toThrow(UsageError);
  });
});

describe('listLines', () => {
  it('lists the same addresses fast and slow', () => {
    const space = TargetSpace.from([v4(0x0a0000fe, 0x0a000102), v4(0x0a000200, 0x0a000200)]);
    const fast = listLines(new TargetOrder(space, { ports: [4369] }));
    expect([...fast].join('')).toBe(
      '10.0.0.254\n10.0.0.255\n10.0.1.0\n10.0.1.1\n10.0.1.2\n10.0.2.0\n',
    );
    const slow = [
      ...listLines(
        new TargetOrder(space, {
          ports: [4369],
          shard: { index: 1, total: 1 },
          shuffle: undefined,
        }),
      ),
    ];
    expect(slow.join('')).toBe([...listLines(new TargetOrder(space, { ports: [4369] }))].join(''));
  });
  it('is the walk of items(), a line each, for any space, ports, seed, shard and chunk size (property)', () => {
    fc.assert(
      fc.property(
        // Spans across octet boundaries (high numbers too), some IPv6 now and then.
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 600 }), fc.integer({ min: 0, max: 600 })),
          { minLength: 1, maxLength: 5 },
        ),
        fc.boolean(),
        fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 2 }),
        fc.option(fc.string(), { nil: undefined }),
        fc
          .integer({ min: 1, max: 3 })
          .chain((total) =>
            fc.record({ index: fc.integer({ min: 1, max: total }), total: fc.constant(total) }),
          ),
        fc.integer({ min: 1, max: 200 }),
        (spans, withV6, ports, shuffle, shard, chunkChars) => {
          const space = TargetSpace.from([
            ...spans.map(([s, n]) => v4(s, Math.min(2 ** 32 - 1, s + n))),
            ...(withV6 ? [{ family: 6 as const, start: 2n ** 64n - 2n, end: 2n ** 64n + 2n }] : []),
          ]);
          const order = new TargetOrder(space, { ports, shuffle, shard });
          const expected = [...order.items()]
            .map((t) => (ports.length > 1 ? `${hostPort(t.ip, t.port)}\n` : `${t.ip}\n`))
            .join('');
          const chunks = [...listLines(order, chunkChars)];
          // Each chunk is whole lines, about chunkChars long.
          if (!chunks.every((c) => c.endsWith('\n') && c.length > 0)) return false;
          return chunks.join('') === expected;
        },
      ),
      { numRuns: 300 },
    );
  });
  it('writes address:port with several ports, IPv6 in brackets', () => {
    const space = TargetSpace.from([{ family: 6, start: 1n, end: 1n }]);
    expect([...listLines(new TargetOrder(space, { ports: [1, 2] }))].join('')).toBe(
      '[::1]:1\n[::1]:2\n',
    );
  });
});

describe('TargetOrder.at and items(from, to)', () => {
  it('agree with the full walk for any space, ports, seed and shard (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 40 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
        fc.option(fc.string(), { nil: undefined }),
        fc
          .integer({ min: 1, max: 4 })
          .chain((total) =>
            fc.record({ index: fc.integer({ min: 1, max: total }), total: fc.constant(total) }),
          ),
        fc.nat(),
        fc.nat(),
        (spans, ports, shuffle, shard, a, b) => {
          const space = TargetSpace.from(spans.map(([s, n]) => v4(s, s + n)));
          const order = new TargetOrder(space, { ports, shuffle, shard });
          const all = [...order.items()];
          if (all.length !== order.size) return false;
          if (!all.every((t, i) => t.position === i && key(order.at(i)) === key(t))) return false;
          const from = order.size === 0 ? 0 : a % order.size;
          const to = from + (order.size === 0 ? 0 : b % (order.size - from + 1));
          const slice = [...order.items(from, to)];
          return JSON.stringify(slice) === JSON.stringify(all.slice(from, to));
        },
      ),
      { numRuns: 200 },
    );
  });
  it('a space rebuilt from its shareable parts is the same space', () => {
    const space = TargetSpace.from([
      v4(10, 20),
      v4(1000, 1000),
      { family: 6, start: 2n ** 100n, end: 2n ** 100n + 5n },
    ]);
    const parts = space.toParts();
    expect(parts.starts4.buffer).toBeInstanceOf(SharedArrayBuffer);
    const copy = TargetSpace.fromParts(structuredClone(parts));
    expect(copy.count).toBe(space.count);
    expect([...copy.addresses()]).toEqual([...space.addresses()]);
    expect(space.toParts()).toBe(parts); // made once
  });
});
