// A tiny MaxMind DB writer for tests: one record that every IPv4 address
// finds, with values of any type the format has. Enough to feed the enricher
// the maps-for-strings and fractions-for-integers a damaged or hostile
// database can hold (format: https://maxmind.github.io/MaxMind-DB/).

import { writeFileSync } from 'node:fs';

/** A value of the MMDB data section, with its wire type. */
export type MmdbValue =
  | string
  | boolean
  | { double: number }
  | { float: number }
  | { uint16: number }
  | { uint32: number }
  | { int32: number }
  | { uint64: bigint }
  | { uint128: bigint }
  | { bytes: Uint8Array }
  | MmdbValue[]
  | { map: Record<string, MmdbValue> };

function control(type: number, size: number): Buffer {
  let sizeBits: number;
  let extra: Buffer;
  if (size < 29) {
    sizeBits = size;
    extra = Buffer.alloc(0);
  } else if (size < 29 + 256) {
    sizeBits = 29;
    extra = Buffer.from([size - 29]);
  } else if (size < 285 + 65536) {
    sizeBits = 30;
    extra = Buffer.alloc(2);
    extra.writeUInt16BE(size - 285);
  } else {
    sizeBits = 31;
    extra = Buffer.alloc(3);
    extra.writeUIntBE(size - 65821, 0, 3);
  }
  const head =
    type <= 7 ? Buffer.from([(type << 5) | sizeBits]) : Buffer.from([sizeBits, type - 7]);
  return Buffer.concat([head, extra]);
}

function unsigned(type: number, value: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

/** The bytes of one value. */
export function encodeValue(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (Array.isArray(value)) {
    return Buffer.concat([control(11, value.length), ...value.map(encodeValue)]);
  }
  if ('map' in value) {
    const entries = Object.entries(value.map);
    return Buffer.concat([
      control(7, entries.length),
      ...entries.flatMap(([k, v]) => [encodeValue(k), encodeValue(v)]),
    ]);
  }
  if ('double' in value) {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value.double);
    return Buffer.concat([control(3, 8), b]);
  }
  if ('float' in value) {
    const b = Buffer.alloc(4);
    b.writeFloatBE(value.float);
    return Buffer.concat([control(15, 4), b]);
  }
  if ('int32' in value) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value.int32);
    return Buffer.concat([control(8, 4), b]);
  }
  if ('bytes' in value) return Buffer.concat([control(4, value.bytes.length), value.bytes]);
  if ('uint16' in value) return unsigned(5, BigInt(value.uint16));
  if ('uint32' in value) return unsigned(6, BigInt(value.uint32));
  if ('uint64' in value) return unsigned(9, value.uint64);
  return unsigned(10, value.uint128);
}

/**
 * An IPv4 database (`databaseType`, e.g. GeoLite2-City) in which every address
 * finds `record`; written to `path`.
 */
export function writeMmdb(path: string, databaseType: string, record: MmdbValue): void {
  const nodeCount = 1;
  // One node, 24-bit records: both branches point at the data record.
  const pointer = nodeCount + 16; // data section offset 0
  const node = Buffer.alloc(6);
  node.writeUIntBE(pointer, 0, 3);
  node.writeUIntBE(pointer, 3, 3);
  const metadata = encodeValue({
    map: {
      node_count: { uint32: nodeCount },
      record_size: { uint16: 24 },
      ip_version: { uint16: 4 },
      database_type: databaseType,
      languages: ['en'],
      binary_format_major_version: { uint16: 2 },
      binary_format_minor_version: { uint16: 0 },
      build_epoch: { uint64: 1_700_000_000n },
      description: { map: { en: 'epmd-scan test database' } },
    },
  });
  writeFileSync(
    path,
    Buffer.concat([
      node,
      Buffer.alloc(16),
      encodeValue(record),
      Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'),
      metadata,
    ]),
  );
}
