import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DoneSet } from '../../../src/targets/done-set.js';

const runs = process.env.CI ? 1000 : 200;

describe('DoneSet', () => {
  it('holds exactly the positions added, in any order and batching (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 30 }), { maxLength: 8 }),
        (start, batches) => {
          const set = new DoneSet(start);
          const expected = new Set<number>();
          for (let p = 0; p < start; p++) expected.add(p);
          for (const batch of batches) {
            set.add(batch);
            for (const p of batch) expected.add(p);
          }
          for (let p = 0; p <= 125; p++) expect(set.has(p)).toBe(expected.has(p));
          expect(set.count).toBe(expected.size);
          let mark = 0;
          while (expected.has(mark)) mark++;
          expect(set.mark).toBe(mark);
          // Ranges above the mark are sorted, disjoint, not touching and not empty.
          let last = set.mark;
          for (const [a, b] of set.above) {
            expect(a).toBeGreaterThan(last);
            expect(b).toBeGreaterThan(a);
            last = b;
          }
        },
      ),
      { numRuns: runs },
    );
  });

  it('gaps are exactly the positions not done, cut to the size asked (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (done, from, max) => {
          const set = new DoneSet(0);
          set.add(done);
          const seen: number[] = [];
          for (const [a, b] of set.gaps(from, 90, max)) {
            expect(b - a).toBeGreaterThan(0);
            expect(b - a).toBeLessThanOrEqual(max);
            for (let p = a; p < b; p++) seen.push(p);
          }
          const expected: number[] = [];
          for (let p = from; p < 90; p++) if (!set.has(p)) expected.push(p);
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: runs },
    );
  });

  it('round-trips through its ranges (what a checkpoint stores)', () => {
    const set = new DoneSet(5);
    set.add([9, 7, 8, 12, 20, 21, 6, 5]);
    expect(set.mark).toBe(10);
    expect(set.above).toEqual([
      [12, 13],
      [20, 22],
    ]);
    const back = new DoneSet(set.mark, set.above);
    expect([...back.gaps(0, 25)]).toEqual([...set.gaps(0, 25)]);
  });
});
