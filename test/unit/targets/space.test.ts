import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandTargets } from '../../../src/targets/expand.js';
import { TargetSpace } from '../../../src/targets/space.js';

const v4 = (start: number, end: number) => ({
  family: 4 as const,
  start: BigInt(start),
  end: BigInt(end),
});

describe('TargetSpace', () => {
  it('subtracts excludes before counting', async () => {
    const s = await expandTargets(['10.0.0.0/24'], {
      exclude: ['10.0.0.0/26', '10.0.0.100', '10.0.0.250-255'],
    });
    expect(s.count).toBe(256 - 64 - 1 - 6);
    const all = [...s.addresses()];
    expect(all).not.toContain('10.0.0.100');
    expect(all[0]).toBe('10.0.0.64');
    expect(all.at(-1)).toBe('10.0.0.249');
  });
  it('excluding everything leaves nothing', async () => {
    const s = await expandTargets(['10.0.0.0/24', '2001:db8::/126'], {
      exclude: ['10.0.0.0/8', '2001:db8::/32'],
    });
    expect(s.count).toBe(0);
    expect([...s.addresses()]).toEqual([]);
  });
  it('addressAt agrees with iteration, and each address appears once (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 100 }), fc.integer({ min: 0, max: 30 })),
          { maxLength: 8 },
        ),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 100 }), fc.integer({ min: 0, max: 30 })),
          { maxLength: 3 },
        ),
        (inc, exc) => {
          const s = TargetSpace.from(
            inc.map(([a, l]) => v4(a, a + l)),
            exc.map(([a, l]) => v4(a, a + l)),
          );
          const all = [...s.addresses()];
          expect(all.length).toBe(s.count);
          expect(new Set(all).size).toBe(all.length);
          all.forEach((ip, i) => {
            expect(s.addressAt(i)).toBe(ip);
          });
          const excluded = new Set(
            exc.flatMap(([a, l]) => Array.from({ length: l + 1 }, (_, k) => a + k)),
          );
          const expected = new Set(
            inc
              .flatMap(([a, l]) => Array.from({ length: l + 1 }, (_, k) => a + k))
              .filter((n) => !excluded.has(n)),
          );
          expect(s.count).toBe(expected.size);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('keeps a list of 200,000 scattered addresses as compact spans', () => {
    const ranges = Array.from({ length: 200_000 }, (_, i) => v4(i * 3, i * 3));
    const s = TargetSpace.from(ranges);
    expect(s.count).toBe(200_000);
    expect(s.spans).toBe(200_000);
    expect(s.addressAt(199_999)).toBe('0.9.39.189');
  });
});
