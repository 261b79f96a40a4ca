import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AssetMap } from '../../../src/enrich/asset-map.js';
import { openEnricher } from '../../../src/enrich/enricher.js';
import { withTimeout } from '../../../src/enrich/ptr.js';
import { UsageError } from '../../../src/errors.js';
import type { ScanRecord } from '../../../src/record.js';
import { mmdb, mmdbOrSkip } from '../../helpers/fixtures.js';
import { names } from '../../helpers/records.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-enrich-'));
const exposed = (ip: string): ScanRecord =>
  names({ ip, port: 4369, status: 'epmd', epmdPort: 4369 });
const pick = (r: ScanRecord) => ({
  hostname: r.hostname,
  hostnameSource: r.hostnameSource,
  asn: r.asn,
  geo: r.geo,
  region: r.region,
  city: r.city,
  sector: r.sector,
  naics: r.naics,
});

describe.runIf(mmdbOrSkip())('MaxMind test databases', () => {
  it('2.125.160.216 is GB / England / Boxford; 1.128.0.1 is AS1221', async () => {
    const e = await openEnricher({
      cityDb: mmdb('GeoLite2-City-Test.mmdb'),
      asnDb: mmdb('GeoLite2-ASN-Test.mmdb'),
    });
    const a = exposed('2.125.160.216');
    const b = exposed('1.128.0.1');
    await e.enrich(a);
    await e.enrich(b);
    expect(pick(a)).toMatchObject({ geo: 'GB', region: 'England', city: 'Boxford' });
    expect(b.asn).toBe(1221);
    await e.close();
  });
  it('reads GeoIP2 City as well, with non-ASCII names intact', async () => {
    const e = await openEnricher({ cityDb: mmdb('GeoIP2-City-Test.mmdb') });
    const r = exposed('89.160.20.112');
    await e.enrich(r);
    expect(pick(r)).toMatchObject({ geo: 'SE', region: 'Östergötland County', city: 'Linköping' });
  });
  it('an address in neither database leaves the columns empty', async () => {
    const e = await openEnricher({
      cityDb: mmdb('GeoLite2-City-Test.mmdb'),
      asnDb: mmdb('GeoLite2-ASN-Test.mmdb'),
    });
    const r = exposed('127.0.0.1');
    await e.enrich(r);
    expect(pick(r)).toEqual({
      hostname: '',
      hostnameSource: '',
      asn: null,
      geo: '',
      region: '',
      city: '',
      sector: '',
      naics: null,
    });
  });
  it('a corrupt database (invalid node count) is a clear usage error', async () => {
    await expect(
      openEnricher({ cityDb: mmdb('GeoIP2-City-Test-Invalid-Node-Count.mmdb') }),
    ).rejects.toThrow(/cannot use --city-db '.*Invalid-Node-Count\.mmdb': it is corrupt/);
  });
  it('a database of the wrong kind, a missing or a non-MMDB file is refused', async () => {
    await expect(openEnricher({ cityDb: mmdb('GeoLite2-ASN-Test.mmdb') })).rejects.toThrow(
      /it is a GeoLite2-ASN database; expected a City/,
    );
    await expect(openEnricher({ asnDb: mmdb('GeoLite2-City-Test.mmdb') })).rejects.toThrow(
      /expected an ASN database/,
    );
    await expect(openEnricher({ asnDb: join(dir, 'none.mmdb') })).rejects.toThrow(/no such file/);
    const text = join(dir, 'text.mmdb');
    writeFileSync(text, 'hello');
    await expect(openEnricher({ cityDb: text })).rejects.toThrow(UsageError);
  });
});

describe('asset map', () => {
  it('takes the longest matching prefix; the header is optional', async () => {
    const path = join(dir, 'assets.csv');
    writeFileSync(
      path,
      'cidr,sector,naics\n10.0.0.0/8,Finance,522110\n10.1.0.0/16,Energy,221122\n10.1.2.3,Lab,\n',
    );
    const map = await AssetMap.load(path);
    expect(map.lookup('10.9.9.9')).toEqual({ sector: 'Finance', naics: 522110 });
    expect(map.lookup('10.1.9.9')).toEqual({ sector: 'Energy', naics: 221122 });
    expect(map.lookup('10.1.2.3')).toEqual({ sector: 'Lab', naics: null });
    expect(map.lookup('192.0.2.1')).toBeNull();
    const noHeader = join(dir, 'assets2.csv');
    writeFileSync(noHeader, '2001:db8::/32,Health,622110\n');
    expect((await AssetMap.load(noHeader)).lookup('2001:db8::1')).toEqual({
      sector: 'Health',
      naics: 622110,
    });
  });
  it('names the line of a bad row', async () => {
    const path = join(dir, 'bad-assets.csv');
    writeFileSync(path, '10.0.0.0/8,Finance,522110\n10.0.0.0/33,X,1\n');
    await expect(AssetMap.load(path)).rejects.toThrow(`${path}:2`);
  });
  it('leaves a NAICS code that is not one empty, and warns', async () => {
    const path = join(dir, 'odd-assets.csv');
    writeFileSync(path, '10.0.0.0/8,Finance,bank\n10.1.0.0/16,Energy,1e999\n');
    const warnings: string[] = [];
    const map = await AssetMap.load(path, (w) => warnings.push(w));
    expect(map.lookup('10.9.9.9')).toEqual({ sector: 'Finance', naics: null });
    expect(map.lookup('10.1.9.9')).toEqual({ sector: 'Energy', naics: null });
    expect(warnings[0]).toMatch(/line 1: naics 'bank' is not a NAICS code/);
  });
});

describe('reverse DNS', () => {
  it('fills hostname and hostname_source ptr from the lookup given, only for exposed hosts', async () => {
    const asked: string[] = [];
    const e = await openEnricher({
      resolve: async (ip) => {
        asked.push(ip);
        return ip === '192.0.2.7' ? 'mq.example' : null;
      },
    });
    const a = exposed('192.0.2.7');
    const b = exposed('192.0.2.8');
    const refused = names({ ip: '192.0.2.9', port: 4369, status: 'refused' });
    await Promise.all([e.enrich(a), e.enrich(b), e.enrich(refused)]);
    expect([a.hostname, a.hostnameSource]).toEqual(['mq.example', 'ptr']);
    expect([b.hostname, b.hostnameSource]).toEqual(['', '']);
    expect(asked.sort()).toEqual(['192.0.2.7', '192.0.2.8']);
  });
  it('a target given as a hostname keeps that name, source "target"', async () => {
    const e = await openEnricher({
      resolve: async () => 'ptr.example',
      targetNames: new Map([['192.0.2.7', 'staging-mq.example.com']]),
    });
    const r = exposed('192.0.2.7');
    await e.enrich(r);
    expect([r.hostname, r.hostnameSource]).toEqual(['staging-mq.example.com', 'target']);
  });
  it('gives up on a lookup that does not answer in time', async () => {
    const never = withTimeout(() => new Promise(() => undefined), 20);
    expect(await never('192.0.2.1')).toBeNull();
    const failing = withTimeout(async () => {
      throw new Error('SERVFAIL');
    }, 1000);
    expect(await failing('192.0.2.1')).toBeNull();
  });
});
