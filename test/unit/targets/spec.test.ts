import { describe, expect, it } from 'vitest';
import { TargetSpecError } from '../../../src/errors.js';
import { expandTargets } from '../../../src/targets/expand.js';
import { TargetSpace } from '../../../src/targets/space.js';
import { parseSpec } from '../../../src/targets/spec.js';

const list = (space: TargetSpace) => [...space.addresses()];

describe('parseSpec', () => {
  it('reads addresses, CIDRs and both range forms', () => {
    expect(parseSpec('192.0.2.7')).toEqual({
      kind: 'range',
      range: { family: 4, start: 0xc0000207n, end: 0xc0000207n },
    });
    expect(parseSpec('192.0.2.0/30')).toMatchObject({
      range: { start: 0xc0000200n, end: 0xc0000203n },
    });
    expect(parseSpec('192.0.2.9/30')).toMatchObject({
      range: { start: 0xc0000208n, end: 0xc000020bn },
    });
    expect(parseSpec('192.0.2.10-12')).toMatchObject({
      range: { start: 0xc000020an, end: 0xc000020cn },
    });
    expect(parseSpec('192.0.2.250-192.0.3.1')).toMatchObject({ range: { end: 0xc0000301n } });
    expect(parseSpec('2001:db8::/126')).toMatchObject({
      range: { family: 6, end: 0x20010db8000000000000000000000003n },
    });
    expect(parseSpec('staging-mq.example.com')).toEqual({
      kind: 'hostname',
      hostname: 'staging-mq.example.com',
    });
  });
  it.each([
    ['300.1.1.1', /invalid target '300\.1\.1\.1': not an IPv4 address/],
    ['1.2.3', /only the dotted quad a\.b\.c\.d is accepted.*reads this as 1\.2\.0\.3/],
    ['1.2.3.4.5', /not an IPv4 address/],
    ['192.0.2.0/33', /prefix length must be 0 to 32/],
    ['2001:db8::/129', /prefix length must be 0 to 128/],
    ['192.0.2.50-10', /ends \(192\.0\.2\.10\) before it starts/],
    ['192.0.2.1-300', /last octet '300'/],
    ['192.0.2.1-2001:db8::1', /same family/],
    ['2001:db8:::1', /not an IPv6 address/],
    ['bad_host!', /expected an IPv4\/IPv6 address, a CIDR/],
    ['', /empty/],
  ])('refuses %j naming it', (spec, message) => {
    expect(() => parseSpec(spec)).toThrow(TargetSpecError);
    expect(() => parseSpec(spec)).toThrow(message);
  });
  it('names the origin when given', () => {
    expect(() => parseSpec('1.2.3.999', 'hosts.txt:3')).toThrow(
      /^hosts\.txt:3: invalid target '1\.2\.3\.999'/,
    );
  });
});

describe('TargetSpace', () => {
  it('merges duplicates, overlaps and adjacent ranges, and counts each address once', () => {
    const s = TargetSpace.from(
      ['10.0.0.0/30', '10.0.0.2', '10.0.0.3-6', '10.0.0.8', '10.0.0.7'].map((x) => {
        const p = parseSpec(x);
        if (p.kind !== 'range') throw new Error('range expected');
        return p.range;
      }),
    );
    expect(s.count).toBe(9);
    expect([...s.spans4()]).toEqual([[0x0a000000, 0x0a000008]]);
    expect(list(s)).toEqual(Array.from({ length: 9 }, (_, i) => `10.0.0.${i}`));
  });
});

describe('expandTargets', () => {
  it('resolves hostnames to every address, through the lookup given', async () => {
    const space = await expandTargets(['a.test', '127.0.0.1'], {
      lookup: async (h) => (h === 'a.test' ? ['127.0.0.2', '::1', '127.0.0.1'] : []),
    });
    expect(list(space)).toEqual(['127.0.0.1', '127.0.0.2', '::1']);
  });
  it('names a hostname that does not resolve', async () => {
    const lookup = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    await expect(expandTargets(['ghost.test'], { lookup })).rejects.toThrow(
      "invalid target 'ghost.test': the hostname does not resolve (ENOTFOUND)",
    );
  });
  it('checks every spec before looking up any name', async () => {
    let lookups = 0;
    const lookup = async () => {
      lookups++;
      return ['127.0.0.1'];
    };
    await expect(expandTargets(['a.test', '300.1.1.1'], { lookup })).rejects.toThrow(
      /300\.1\.1\.1/,
    );
    expect(lookups).toBe(0);
  });
  it('refuses an IPv6 sweep that cannot finish, saying how large it is', async () => {
    await expect(expandTargets(['2001:db8::/64'])).rejects.toThrow(
      /18446744073709551616 addresses/,
    );
    await expect(expandTargets(['2001:db8::/120'])).resolves.toMatchObject({ count: 256 });
  });
});
