import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../../src/targets/ip.js';

describe('IPv4', () => {
  it('parses canonical dotted quads and refuses the rest', () => {
    expect(parseIPv4('192.0.2.7')).toBe(0xc0000207);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['300.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', '', 'a.b.c.d', '1.2.3.-4']) {
      expect(parseIPv4(bad), bad).toBeNull();
    }
  });
  it('round-trips every 32-bit value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(parseIPv4(formatIPv4(n))).toBe(n);
      }),
    );
  });
});

describe('IPv6', () => {
  it('parses the usual forms', () => {
    expect(parseIPv6('::')).toBe(0n);
    expect(parseIPv6('::1')).toBe(1n);
    expect(parseIPv6('2001:db8::1')).toBe(0x20010db8000000000000000000000001n);
    expect(parseIPv6('::ffff:192.0.2.1')).toBe(0xffffc0000201n);
    expect(parseIPv6('fe80::1%eth0')).toBeNull();
    expect(parseIPv6('2001:db8::1::2')).toBeNull();
    expect(parseIPv6('1.2.3.4')).toBeNull();
  });
  it('formats as RFC 5952', () => {
    expect(formatIPv6(0x20010db8000000000000000000000001n)).toBe('2001:db8::1');
    expect(formatIPv6(0x20010db8000000010000000000000001n)).toBe('2001:db8:0:1::1');
    expect(formatIPv6(0n)).toBe('::');
    expect(formatIPv6(0xffffc0000201n)).toBe('::ffff:192.0.2.1');
    expect(formatIPv6(0x20010db8000100010001000100010001n)).toBe('2001:db8:1:1:1:1:1:1');
  });
  it('round-trips any 128-bit value (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (n) => {
        expect(parseIPv6(formatIPv6(n))).toBe(n);
      }),
    );
  });
});
