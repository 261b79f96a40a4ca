import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grouped } from '../../../src/text/numbers.js';

describe('grouped', () => {
  it('writes what toLocaleString("en") writes, without loading ICU data', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -1e12, max: 1e12 }),
          fc.double({ min: -1e9, max: 1e9, noNaN: true }).filter((x) => !Object.is(x, -0)),
        ),
        (x) => {
          // Tiny negatives round to -0, which toLocaleString writes as "-0".
          fc.pre(!(x < 0 && Math.abs(x) < 0.0005));
          expect(grouped(x)).toBe(x.toLocaleString('en'));
        },
      ),
    );
  });

  it('groups in threes and keeps at most three decimals', () => {
    expect(grouped(19956)).toBe('19,956');
    expect(grouped(1234567.891)).toBe('1,234,567.891');
    expect(grouped(2.5)).toBe('2.5');
    expect(grouped(-1000)).toBe('-1,000');
    expect(grouped(Number.NaN)).toBe('NaN');
  });
});
