// MaxMind-format databases (GeoLite2 / GeoIP2 City and ASN, DB-IP lite) through
// the `maxmind` package: geo, region, city and asn for each exposed host.

// Types only: the package is imported when a database is opened. Loading it
// maps ICU data (mmdb-lib decodes text), 5 to 8 MB of resident memory that a
// scan without --city-db or --asn-db does not need.
import type { AsnResponse, CityResponse, Reader, Response } from 'maxmind';
import { UsageError } from '../errors.js';
import { readWhole, SIZE_LIMITS } from '../files/side-file.js';
import { shown } from '../text/escape.js';

type CityRecord = CityResponse;
type AsnRecord = AsnResponse;

export type DbKind = 'city' | 'asn';

const FLAG: Record<DbKind, string> = { city: '--city-db', asn: '--asn-db' };
const WANTED: Record<DbKind, string> = {
  city: 'a City (or Country) database: GeoLite2-City, GeoIP2-City, DB-IP City Lite',
  asn: 'an ASN database: GeoLite2-ASN, DB-IP ASN Lite',
};

/** True when the database's declared type fits the flag it was given to. */
export function fitsKind(databaseType: string, kind: DbKind): boolean {
  return kind === 'asn' ? /ASN/i.test(databaseType) : /City|Country/i.test(databaseType);
}

/** A bounded cache of decoded records, as the `maxmind` package keeps one (10,000 entries). */
function recordCache(max = 10_000): {
  get(key: number): unknown;
  set(key: number, value: unknown): void;
} {
  const map = new Map<number, unknown>();
  return {
    get: (key) => map.get(key),
    set: (key, value) => {
      if (map.size >= max) map.clear();
      map.set(key, value);
    },
  };
}

/** Why the bytes of `path` are not a database `Reader` can use; null when they are. */
async function decode<T extends Response>(bytes: Buffer): Promise<Reader<T> | string> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'it is gzip-compressed: decompress it first';
  const { Reader } = await import('maxmind');
  let reader: Reader<T>;
  try {
    reader = new Reader<T>(bytes, { cache: recordCache() });
  } catch (error) {
    return `it is corrupt or not an MMDB file (${shown(String((error as Error)?.message), 120)})`;
  }
  // The header can lie (e.g. a node count past the end of the file): a reader
  // would then throw on lookups mid-scan. Check the tree fits the file.
  const { searchTreeSize } = reader.metadata;
  if (!Number.isFinite(searchTreeSize) || searchTreeSize + 16 > bytes.length) {
    return `it is corrupt (its search tree of ${searchTreeSize} bytes does not fit in the ${bytes.length}-byte file)`;
  }
  return reader;
}

/**
 * Opens a database, checking that it is a regular file of at most
 * SIZE_LIMITS.mmdb bytes (read whole: a FIFO or a device is refused), valid
 * and of the right kind.
 */
export async function openDb<T extends Response>(
  path: string,
  kind: DbKind,
  signal?: AbortSignal,
): Promise<Reader<T>> {
  const what = `the ${FLAG[kind]} database`;
  const reader = await decode<T>(await readWhole(path, what, SIZE_LIMITS.mmdb, signal));
  if (typeof reader === 'string') {
    throw new UsageError(
      `cannot use ${FLAG[kind]} '${shown(path)}': ${reader}`,
      'free GeoLite2 databases: https://dev.maxmind.com/geoip/geolite2-free-geolocation-data; DB-IP lite: https://db-ip.com/db/lite.php',
    );
  }
  const type = reader.metadata.databaseType;
  if (!fitsKind(type, kind)) {
    throw new UsageError(
      `cannot use ${FLAG[kind]} '${shown(path)}': it is a ${shown(String(type))} database; expected ${WANTED[kind]}`,
    );
  }
  return reader;
}

export interface GeoFields {
  geo: string;
  region: string;
  city: string;
}

/** A lookup that treats a damaged record as "not found" rather than failing the scan. */
function safeGet<T extends Response>(reader: Reader<T>, ip: string): T | null {
  try {
    return reader.get(ip);
  } catch {
    return null;
  }
}

/** Called once per database the first time one of its values has the wrong type or range. */
export type ValueWarning = (what: string) => void;

/** `value` when it is a string (of at most `max` characters), else undefined, with a warning. */
function text(value: unknown, field: string, warn: ValueWarning, max = 200): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' && value.length <= max) return value;
  warn(
    `${field} is ${typeof value === 'string' ? `a string of ${value.length} characters` : describe(value)}`,
  );
  return '';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `the number ${value}`;
  return `a ${typeof value === 'object' ? 'map' : typeof value}`;
}

/** A map's member, or undefined when `value` is not a map. */
function member(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** `names.en` of a map-valued field (city, subdivision). */
function englishName(value: unknown, field: string, warn: ValueWarning): string {
  if (value === undefined || value === null) return '';
  const names = member(value, 'names');
  if (names === undefined) {
    if (typeof value !== 'object' || Array.isArray(value)) warn(`${field} is ${describe(value)}`);
    return '';
  }
  return text(member(names, 'en'), `${field}.names.en`, warn);
}

/** The geo columns of an address; every value is checked, a wrong one is absent. */
export function cityFields(
  reader: Reader<CityRecord>,
  ip: string,
  warn: ValueWarning = () => {},
): GeoFields {
  const r: unknown = safeGet(reader, ip);
  if (r === null || r === undefined) return { geo: '', region: '', city: '' };
  let geo = text(member(member(r, 'country'), 'iso_code'), 'country.iso_code', warn);
  if (geo !== '' && !/^[A-Za-z]{2}$/.test(geo)) {
    warn(`country.iso_code '${shown(geo, 8)}' is not a two-letter code`);
    geo = '';
  }
  const subdivisions = member(r, 'subdivisions');
  if (subdivisions !== undefined && !Array.isArray(subdivisions))
    warn(`subdivisions is ${describe(subdivisions)}`);
  const first = Array.isArray(subdivisions) ? subdivisions[0] : undefined;
  return {
    geo: geo.toUpperCase(),
    region: englishName(first, 'subdivisions[0]', warn),
    city: englishName(member(r, 'city'), 'city', warn),
  };
}

/** The largest AS number (32 bits). */
export const MAX_ASN = 2 ** 32 - 1;

/** The AS number of an address: a whole number 1 to 2^32-1, else null. */
export function asnOf(
  reader: Reader<AsnRecord>,
  ip: string,
  warn: ValueWarning = () => {},
): number | null {
  const n = member(safeGet(reader, ip), 'autonomous_system_number');
  if (n === undefined || n === null) return null;
  // IntelMQ treats 0 as empty; so do we.
  if (n === 0) return null;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_ASN) return n;
  warn(
    `autonomous_system_number is ${typeof n === 'number' ? `${n}, not a whole number 1 to ${MAX_ASN}` : describe(n)}`,
  );
  return null;
}

export type { AsnRecord, CityRecord, Reader };
