// --asset-map: a team's own ranges with their sector and NAICS code
// (`cidr,sector,naics`, header optional); the longest matching prefix wins.

import { UsageError } from '../errors.js';
import { readCsvRows } from '../files/csv-rows.js';
import { MAX_LINE_BYTES } from '../files/lines.js';
import { SIZE_LIMITS } from '../files/side-file.js';
import { parseIP } from '../targets/ip.js';
import { parseSpec } from '../targets/spec.js';
import { shown } from '../text/escape.js';

interface Entry {
  family: 4 | 6;
  start: bigint;
  end: bigint;
  size: bigint;
  sector: string;
  naics: number | null;
}

/** The longest sector name kept; a longer one is left empty, with the file's warning. */
export const MAX_SECTOR_CHARS = 200;

export class AssetMap {
  constructor(private readonly entries: Entry[]) {}

  /**
   * Reads the map as a stream (a row may hold at most MAX_LINE_BYTES). A bad
   * CIDR stops the run (exit 2); a NAICS code that is not a number of 1 to 6
   * digits, or an over-long sector, is left empty and `warn` is told.
   */
  static async load(
    path: string,
    warn: (what: string) => void = () => {},
    signal?: AbortSignal,
  ): Promise<AssetMap> {
    const entries: Entry[] = [];
    let first = true;
    const rows = readCsvRows(path, 'the asset map', {
      maxRecord: MAX_LINE_BYTES,
      loose: true,
      maxBytes: SIZE_LIMITS.assetMap,
      signal,
    });
    for await (const { record, line } of rows) {
      const [cidr = '', sector = '', naics = ''] = record;
      const header = first && cidr.toLowerCase() === 'cidr';
      first = false;
      if (header) continue; // the optional header
      const origin = `${path}:${line}`;
      const parsed = parseSpec(cidr, origin);
      if (parsed.kind !== 'range') {
        throw new UsageError(`${shown(origin, 200)}: '${shown(cidr)}' is not a CIDR or address`);
      }
      let code: number | null = null;
      if (/^\d{1,6}$/.test(naics)) code = Number(naics) === 0 ? null : Number(naics);
      else if (naics !== '')
        warn(`line ${line}: naics '${shown(naics, 20)}' is not a NAICS code (1 to 6 digits)`);
      let name = sector;
      if (name.length > MAX_SECTOR_CHARS) {
        warn(`line ${line}: a sector of ${name.length} characters (at most ${MAX_SECTOR_CHARS})`);
        name = '';
      }
      const { family, start, end } = parsed.range;
      entries.push({ family, start, end, size: end - start, sector: name, naics: code });
    }
    return new AssetMap(entries);
  }

  /** The sector and NAICS code of the most specific range holding `ip`. */
  lookup(ip: string): { sector: string; naics: number | null } | null {
    const addr = parseIP(ip);
    if (!addr) return null;
    let best: Entry | null = null;
    for (const e of this.entries) {
      if (
        e.family === addr.family &&
        addr.value >= e.start &&
        addr.value <= e.end &&
        (!best || e.size < best.size)
      ) {
        best = e;
      }
    }
    return best ? { sector: best.sector, naics: best.naics } : null;
  }
}
