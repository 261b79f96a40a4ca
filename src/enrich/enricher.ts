// openEnricher: fills the columns Shadowserver fills (hostname, asn, geo,
// region, city, sector, naics) for exposed hosts, from sources a security
// team already has. Every source is opened and checked before any scan.

import pLimit from 'p-limit';
import type { ScanRecord } from '../record.js';
import { shown } from '../text/escape.js';
import { AssetMap } from './asset-map.js';
import { type AsnRecord, asnOf, type CityRecord, cityFields, openDb } from './mmdb.js';
import { type ReverseLookup, systemReverse, withTimeout } from './ptr.js';

export interface EnricherOptions {
  /** A City (or Country) MMDB file. */
  cityDb?: string;
  /** An ASN MMDB file. */
  asnDb?: string;
  /** `cidr,sector,naics` CSV. */
  assetMap?: string;
  /** Reverse DNS: true for the system resolver, a function to use another, false for none. */
  resolve?: boolean | ReverseLookup;
  /** Per-lookup timeout in ms (default 2000). */
  resolveTimeout?: number;
  /** Reverse lookups in flight at once (default 8; getnameinfo runs on libuv's thread pool). */
  resolveConcurrency?: number;
  /** Names of targets given as hostnames: address -> name. They are kept as the hostname. */
  targetNames?: ReadonlyMap<string, string>;
  /**
   * Told once per file when one of its values has the wrong type or range (it
   * is then treated as absent); silent when not given.
   */
  warn?: (line: string) => void;
  /** Ends the reading of the files (Interrupted) when it aborts. */
  signal?: AbortSignal;
}

/** A warning callback that speaks once for a file, then stays silent. */
function oncePerFile(
  warn: ((line: string) => void) | undefined,
  flag: string,
  path: string | undefined,
): (what: string) => void {
  let told = false;
  return (what) => {
    if (told || !warn) return;
    told = true;
    warn(
      `warning: ${flag} '${shown(path ?? '')}': ${what}; such values are left empty (said once per file)`,
    );
  };
}

export interface Enricher {
  /** Fills the record's context columns in place (exposed records only). */
  enrich(record: ScanRecord): Promise<void>;
  close(): Promise<void>;
}

/** The hostname_source of a name that came from the target list rather than DNS. */
export const TARGET_HOSTNAME_SOURCE = 'target';

export async function openEnricher(options: EnricherOptions = {}): Promise<Enricher> {
  const { signal } = options;
  const city = options.cityDb ? await openDb<CityRecord>(options.cityDb, 'city', signal) : null;
  const asn = options.asnDb ? await openDb<AsnRecord>(options.asnDb, 'asn', signal) : null;
  const cityWarn = oncePerFile(options.warn, '--city-db', options.cityDb);
  const asnWarn = oncePerFile(options.warn, '--asn-db', options.asnDb);
  const assets = options.assetMap
    ? await AssetMap.load(
        options.assetMap,
        oncePerFile(options.warn, '--asset-map', options.assetMap),
        signal,
      )
    : null;
  const base = options.resolve === true ? systemReverse : options.resolve || null;
  const reverse = base ? withTimeout(base, options.resolveTimeout ?? 2000) : null;
  const limit = pLimit(options.resolveConcurrency ?? 8);
  const names = options.targetNames;

  return {
    async enrich(r) {
      if (r.status !== 'epmd') return;
      if (city) Object.assign(r, cityFields(city, r.ip, cityWarn));
      if (asn) r.asn = asnOf(asn, r.ip, asnWarn);
      const asset = assets?.lookup(r.ip);
      if (asset) {
        r.sector = asset.sector;
        r.naics = asset.naics;
      }
      const given = names?.get(r.ip);
      if (given) {
        r.hostname = given;
        r.hostnameSource = TARGET_HOSTNAME_SOURCE;
      } else if (reverse) {
        const name = await limit(() => reverse(r.ip));
        if (name) {
          r.hostname = name;
          r.hostnameSource = 'ptr';
        }
      }
    },
    async close() {
      limit.clearQueue();
    },
  };
}
