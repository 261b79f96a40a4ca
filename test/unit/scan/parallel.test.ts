import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NamesDetail } from '../../../src/probes/names/index.js';
import { STATUSES } from '../../../src/probes/registry.js';
import { ERROR_CODES, type ScanRecord } from '../../../src/record.js';
import type { PositionedRecord } from '../../../src/scan/options.js';
import { chunkSize, MIN_PARALLEL_TARGETS, share, workerCount } from '../../../src/scan/parallel.js';
import { resolveProbe } from '../../../src/scan/plan.js';
import {
  BatchReader,
  BatchWriter,
  batchSize,
  transferList,
} from '../../../src/scan/record-batch.js';
import { TargetOrder } from '../../../src/targets/order.js';
import { TargetSpace } from '../../../src/targets/space.js';
import { type FlatFields, names } from '../../helpers/records.js';

describe('workerCount', () => {
  const big = MIN_PARALLEL_TARGETS * 8;
  it('auto: one worker per core for a big scan, none for a small or throttled one', () => {
    expect(workerCount({}, big, 1024, 2)).toBe(2);
    expect(workerCount({ workers: 'auto' }, big, 1024, 8)).toBe(8);
    expect(workerCount({}, big, 256, 8)).toBe(4); // at least 64 probes in flight each
    expect(workerCount({}, big, 100, 8)).toBe(0); // one worker's worth: stay on this thread
    expect(workerCount({}, big, 1024, 1)).toBe(0);
    expect(workerCount({}, MIN_PARALLEL_TARGETS - 1, 1024, 2)).toBe(0);
    expect(workerCount({ rate: 1000 }, big, 1024, 2)).toBe(0);
    expect(workerCount({ rate: 20_000 }, big, 40_000, 2)).toBe(0); // one thread keeps up
    expect(workerCount({ rate: 100_000 }, big, 1024, 2)).toBe(2);
    expect(workerCount({ rate: 0 }, big, 1024, 2)).toBe(2); // unpaced
  });
  it('an explicit count is kept, within the concurrency and the targets', () => {
    expect(workerCount({ workers: 0 }, big, 1024, 8)).toBe(0);
    expect(workerCount({ workers: 3 }, 10, 1024, 1)).toBe(3);
    expect(workerCount({ workers: 3 }, 2, 1024, 8)).toBe(2);
    expect(workerCount({ workers: 3 }, big, 1, 8)).toBe(1);
    expect(workerCount({ workers: 3, rate: 2 }, big, 1024, 8)).toBe(2);
  });
});

describe('share', () => {
  it('splits a total into parts that differ by at most one and add up (property)', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.integer({ min: 1, max: 64 }), (total, parts) => {
        const shares = Array.from({ length: parts }, (_, i) => share(total, parts, i));
        return (
          shares.reduce((a, b) => a + b, 0) === total &&
          Math.max(...shares) - Math.min(...shares) <= 1
        );
      }),
    );
  });
});

/** A value with every object's keys in order, so that two records compare by content alone. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date || typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

describe('record batches', () => {
  const space = TargetSpace.from([
    { family: 4, start: 0x0a000000n, end: 0x0a0000ffn },
    { family: 6, start: 0x20010db8n << 96n, end: (0x20010db8n << 96n) + 15n },
  ]);
  const order = new TargetOrder(space, { ports: [4369, 14369], shuffle: 'batch' });
  const HIGH = resolveProbe({ severity: 'high' });
  const reader = new BatchReader(order, HIGH);
  // Every code record.ts names (the one table record-batch.ts encodes), and a system one.
  const ERRORS = [null, ...ERROR_CODES, 'eperm'];

  it('give back exactly the records that went in, in one batch (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            position: fc.nat(order.size - 1),
            status: fc.constantFrom(...STATUSES),
            error: fc.constantFrom(...ERRORS),
            time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
            severity: fc.constantFrom('high' as const, 'low' as const),
            extra: fc.constantFrom('none', 'nodes', 'truncated', 'risks', 'hostname'),
          }),
          { maxLength: 600 },
        ),
        (specs) => {
          const items: PositionedRecord[] = specs.map((s) => {
            const t = order.at(s.position);
            const record: ScanRecord = names({
              timestamp: new Date(s.time),
              ip: t.ip,
              port: t.port,
              status: s.status,
              error: s.error,
              severity: s.severity,
            });
            if (s.extra === 'nodes') {
              record.detail = { epmdPort: 4369, nodes: [{ name: 'a', port: 1 }], truncated: false };
            }
            if (s.extra === 'truncated') {
              record.detail = { epmdPort: 4369, nodes: [], truncated: true } satisfies NamesDetail;
            }
            if (s.extra === 'risks') record.risks = ['x'];
            if (s.extra === 'hostname') record.hostname = 'h';
            return { position: s.position, record };
          });
          const writer = new BatchWriter(HIGH);
          for (const item of items) writer.push(item);
          const batch = writer.take();
          if (items.length === 0) return batch === null && writer.size === 0;
          if (!batch || batchSize(batch) !== items.length || writer.size !== 0) return false;
          expect(transferList(batch)).toHaveLength(4);
          const out = Array.from({ length: batchSize(batch) }, (_, i) =>
            reader.recordAt(structuredClone(batch), i),
          );
          const sortKey = (x: PositionedRecord) =>
            JSON.stringify([x.position, x.record.timestamp.getTime(), canonical(x.record)]);
          expect(out.map(sortKey).sort()).toEqual(items.map(sortKey).sort());
          return true;
        },
      ),
      { numRuns: 100 },
    );
  });
  it('carry exposures and unusual errors whole, and the rest as numbers', () => {
    const writer = new BatchWriter(HIGH);
    const at = (position: number, fields: Partial<FlatFields>) => {
      const t = order.at(position);
      return {
        position,
        record: names({ ip: t.ip, port: t.port, status: 'refused', ...fields }),
      };
    };
    writer.push(at(0, { status: 'epmd', nodes: [{ name: 'rabbit', port: 25672 }] }));
    writer.push(at(1, { error: 'connection-refused' }));
    writer.push(at(2, { status: 'error', error: 'eaddrnotavail' }));
    writer.push(at(3, { status: 'timeout', error: 'connection-timeout' }));
    const batch = writer.take();
    expect(batch?.count).toBe(2);
    expect(batch?.whole.map((w) => w.position)).toEqual([0, 2]);
  });
  it('take a plain record as numbers, the same record as pushed whole, or refuse it', () => {
    const writer = new BatchWriter(HIGH);
    const t = order.at(5);
    const record = names({
      ip: t.ip,
      port: t.port,
      status: 'timeout',
      error: 'connection-timeout',
    });
    record.severity = HIGH.severity;
    expect(writer.pushPlain(5, 'timeout', 'connection-timeout', record.timestamp.getTime())).toBe(
      true,
    );
    // A status or an error outside the tables cannot be said in numbers: the caller makes the record.
    expect(writer.pushPlain(6, 'no-such-status', null, 0)).toBe(false);
    expect(writer.pushPlain(6, 'error', 'eperm', 0)).toBe(false);
    const batch = writer.take();
    expect(batch?.count).toBe(1);
    expect(batch?.whole).toEqual([]);
    expect(reader.recordAt(batch as NonNullable<typeof batch>, 0)).toEqual({ position: 5, record });
  });
});

describe('chunkSize', () => {
  it('gives each worker about 16 chunks, within 64 and 4096 positions', () => {
    expect(chunkSize(2048, 2)).toBe(64);
    expect(chunkSize(65_536, 2)).toBe(2048);
    expect(chunkSize(16_777_216, 2)).toBe(4096);
    expect(chunkSize(10, 4)).toBe(64);
  });
});
