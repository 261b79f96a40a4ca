import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newRecord, type ScanRecord, UNENRICHED } from '../../src/record.js';

/** What newRecord was written as: the envelope's defaults, then the fields given. */
function spread(fields: Parameters<typeof newRecord>[0]): ScanRecord {
  return {
    timestamp: new Date(0),
    protocol: 'tcp',
    exposed: false,
    error: null,
    ...UNENRICHED,
    detail: null,
    ...fields,
  } as ScanRecord;
}

const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

describe('newRecord', () => {
  it('is the defaults and then the fields given: same values, same key order', () => {
    const fields = fc.record(
      {
        ip: fc.ipV4(),
        port: fc.integer({ min: 1, max: 65535 }),
        probe: fc.constantFrom('names', 'dist'),
        status: fc.constantFrom('epmd', 'refused', 'timeout'),
        severity: fc.constantFrom('high', 'medium'),
        exposed: fc.boolean(),
        error: fc.option(fc.constantFrom('refused', 'timeout')),
        hostname: fc.string(),
        asn: fc.option(fc.nat()),
        city: fc.string(),
        detail: fc.option(fc.constant({ epmdPort: 4369 })),
        risks: optional(fc.array(fc.string(), { maxLength: 2 })),
        followUpsCut: optional(fc.array(fc.string(), { maxLength: 2 })),
        timestamp: fc.constant(new Date(0)),
      },
      { requiredKeys: ['ip', 'port', 'probe', 'status', 'severity', 'timestamp'] },
    );
    fc.assert(
      fc.property(fields, (f) => {
        // An optional field left out is absent from both, not undefined.
        const given = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
        const made = newRecord(given as Parameters<typeof newRecord>[0]);
        const want = spread(given as Parameters<typeof newRecord>[0]);
        expect(made).toStrictEqual(want);
        expect(Object.keys(made)).toEqual(Object.keys(want));
      }),
    );
  });
  it('stamps the time it was made when not given one', () => {
    const before = Date.now();
    const r = newRecord({
      ip: '192.0.2.1',
      port: 4369,
      probe: 'names',
      status: 'refused',
      severity: 'high',
    });
    expect(r.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    expect(r.exposed).toBe(false);
    expect(r.detail).toBeNull();
  });
});
