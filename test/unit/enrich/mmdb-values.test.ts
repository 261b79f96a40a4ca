// Every value an mmdb record can hold, of every type the format has, in the
// places the enricher reads: a wrong type or range is left empty, the file is
// warned about once, and no formatter crashes or prints raw bytes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openEnricher } from '../../../src/enrich/enricher.js';
import { csvFormatter } from '../../../src/output/csv.js';
import { ndjsonFormatter } from '../../../src/output/ndjson.js';
import { tableFormatter } from '../../../src/output/table.js';
import { type MmdbValue, writeMmdb } from '../../helpers/mmdb-writer.js';
import { names } from '../../helpers/records.js';
import { PROPERTY_RUNS } from '../../helpers/runs.js';
import { assertNdjson } from '../../helpers/schema.js';
import { rawControl } from '../../helpers/text.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-mmdb-'));
const RUNS = PROPERTY_RUNS;
let files = 0;

async function enrichWith(city: MmdbValue | null, asn: MmdbValue | null) {
  const n = files++;
  const cityDb = city === null ? undefined : join(dir, `city${n}.mmdb`);
  const asnDb = asn === null ? undefined : join(dir, `asn${n}.mmdb`);
  if (cityDb) writeMmdb(cityDb, 'GeoLite2-City', city as MmdbValue);
  if (asnDb) writeMmdb(asnDb, 'GeoLite2-ASN', asn as MmdbValue);
  const warnings: string[] = [];
  const enricher = await openEnricher({
    cityDb,
    asnDb,
    resolve: false,
    warn: (w) => warnings.push(w),
  });
  const record = names({
    ip: '192.0.2.1',
    port: 4369,
    status: 'epmd',
    epmdPort: 4369,
    nodes: [{ name: 'rabbit', port: 25672 }],
  });
  await enricher.enrich(record);
  // The second lookup must not warn again: once per file.
  await enricher.enrich({ ...record });
  await enricher.close();
  const outputs = [
    csvFormatter().format(record),
    (() => {
      const line = ndjsonFormatter().format(record);
      assertNdjson(line, 'the NDJSON of an enriched record');
      return line;
    })(),
    (() => {
      const t = tableFormatter();
      t.format(record);
      return t.footer();
    })(),
  ];
  return { record, warnings, outputs };
}

const map = (m: Record<string, MmdbValue>): MmdbValue => ({ map: m });

describe('typed mmdb values (named cases from issue 12)', () => {
  it('an iso_code that is a map and a city that is a number: empty, one warning', async () => {
    const { record, warnings, outputs } = await enrichWith(
      map({
        country: map({ iso_code: map({ a: { uint16: 1 } }) }),
        city: { uint32: 12345 },
        subdivisions: [map({ names: map({ en: 'Wash\x1bington' }) })],
      }),
      null,
    );
    expect(record).toMatchObject({ geo: '', city: '', region: 'Wash\x1bington' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--city-db '.*city\d+\.mmdb': country\.iso_code is a map/);
    expect(outputs[0]).toContain('"Wash\\x1bington"');
    expect(outputs[1]).toContain('"region":"Wash\\\\x1bington"');
    expect(outputs[1]).not.toContain('{"a":1}');
    for (const out of outputs) expect(rawControl(out)).toBeNull();
  });
  it.each([
    [{ double: 1.5 }, null],
    [{ double: Number.POSITIVE_INFINITY }, null],
    [{ double: -1 }, null],
    [{ uint64: 2n ** 32n }, null],
    [{ uint128: 2n ** 100n }, null],
    ['209', null],
    [{ uint32: 209 }, 209],
    [{ uint32: 2 ** 32 - 1 }, 2 ** 32 - 1],
    [{ uint32: 0 }, null],
  ] as [MmdbValue, number | null][])('ASN case %#', async (value, want) => {
    const { record, warnings, outputs } = await enrichWith(
      null,
      map({ autonomous_system_number: value }),
    );
    expect(record.asn).toBe(want);
    const zero = typeof value === 'object' && 'uint32' in value && value.uint32 === 0;
    expect(warnings).toHaveLength(want === null && !zero ? 1 : 0);
    if (want === null) expect(outputs[0]).toMatch(/"tcp",4369,,"epmd",,/);
  });
  it('an iso_code that is not two letters is left empty', async () => {
    const { record, warnings } = await enrichWith(map({ country: map({ iso_code: 'USA' }) }), null);
    expect(record.geo).toBe('');
    expect(warnings[0]).toMatch(/'USA' is not a two-letter code/);
  });
});

/** Any mmdb value, nested a little. */
const value: fc.Arbitrary<MmdbValue> = fc.letrec<{ v: MmdbValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 12, unit: 'binary' }),
    fc.boolean(),
    fc.double().map((d) => ({ double: d })),
    fc.float().map((f) => ({ float: f })),
    fc.integer({ min: 0, max: 65535 }).map((n) => ({ uint16: n })),
    fc.nat().map((n) => ({ uint32: n })),
    fc.integer().map((n) => ({ int32: n })),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => ({ uint64: n })),
    fc.uint8Array({ maxLength: 8 }).map((b) => ({ bytes: b })),
    fc.array(tie('v'), { maxLength: 3 }),
    fc
      .dictionary(fc.constantFrom('en', 'names', 'iso_code', 'x'), tie('v'), { maxKeys: 3 })
      .map((m) => ({ map: m })),
  ),
})).v;

describe('typed mmdb values (property)', () => {
  it('any value where the enricher reads: no crash, typed columns, no raw control bytes', async () => {
    await fc.assert(
      fc.asyncProperty(value, value, value, value, async (iso, city, sub, asn) => {
        const { record, warnings, outputs } = await enrichWith(
          map({
            country: map({ iso_code: iso }),
            city: map({ names: map({ en: city }) }),
            subdivisions: sub,
          }),
          map({ autonomous_system_number: asn }),
        );
        expect(record.geo).toMatch(/^([A-Z]{2})?$/);
        expect(typeof record.city).toBe('string');
        expect(typeof record.region).toBe('string');
        if (record.asn !== null) {
          expect(Number.isInteger(record.asn)).toBe(true);
          expect(record.asn).toBeGreaterThanOrEqual(1);
          expect(record.asn).toBeLessThanOrEqual(2 ** 32 - 1);
        }
        expect(warnings.length).toBeLessThanOrEqual(2);
        for (const out of outputs) expect(rawControl(out)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});
