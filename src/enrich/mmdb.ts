// MaxMind-format databases (GeoLite2 / GeoIP2 City and ASN, DB-IP lite) through
// the `maxmind` package: geo, region, city and asn for each exposed host.

import { stat } from 'node:fs/promises';
import maxmind, { type AsnResponse, type CityResponse, type Reader, type Response } from 'maxmind';
import { describeFileError, UsageError } from '../errors.js';

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

/** Opens a database, checking that it is readable, valid and of the right kind. */
export async function openDb<T extends Response>(path: string, kind: DbKind): Promise<Reader<T>> {
  let reader: Reader<T>;
  try {
    reader = await maxmind.open<T>(path);
  } catch (error) {
    // A file-system error is said as such; anything else comes from the MMDB decoder.
    const why = (error as NodeJS.ErrnoException).code
      ? describeFileError(error)
      : `it is corrupt or not an MMDB file (${(error as Error).message})`;
    throw new UsageError(
      `cannot use ${FLAG[kind]} '${path}': ${why}`,
      'free GeoLite2 databases: https://dev.maxmind.com/geoip/geolite2-free-geolocation-data; DB-IP lite: https://db-ip.com/db/lite.php',
    );
  }
  // The header can lie (e.g. a node count past the end of the file): a reader
  // would then throw on lookups mid-scan. Check the tree fits the file.
  const { searchTreeSize } = reader.metadata;
  const size = (await stat(path)).size;
  if (!Number.isFinite(searchTreeSize) || searchTreeSize + 16 > size) {
    throw new UsageError(
      `cannot use ${FLAG[kind]} '${path}': it is corrupt (its search tree of ${searchTreeSize} bytes does not fit in the ${size}-byte file)`,
    );
  }
  const type = reader.metadata.databaseType;
  if (!fitsKind(type, kind)) {
    throw new UsageError(
      `cannot use ${FLAG[kind]} '${path}': it is a ${type} database; expected ${WANTED[kind]}`,
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

export function cityFields(reader: Reader<CityRecord>, ip: string): GeoFields {
  const r = safeGet(reader, ip);
  return {
    geo: r?.country?.iso_code ?? '',
    region: (r?.subdivisions?.[0]?.names as Record<string, string> | undefined)?.en ?? '',
    city: (r?.city?.names as Record<string, string> | undefined)?.en ?? '',
  };
}

export function asnOf(reader: Reader<AsnRecord>, ip: string): number | null {
  const n = safeGet(reader, ip)?.autonomous_system_number;
  // IntelMQ treats 0 as empty; so do we.
  return typeof n === 'number' && n > 0 ? n : null;
}

export type { AsnRecord, CityRecord, Reader };
