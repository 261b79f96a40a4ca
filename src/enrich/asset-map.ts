// --asset-map: a team's own ranges with their sector and NAICS code
// (`cidr,sector,naics`, header optional); the longest matching prefix wins.

import { parse } from 'csv-parse/sync';
import { readInputFile, UsageError } from '../errors.js';
import { parseIP } from '../targets/ip.js';
import { parseSpec } from '../targets/spec.js';

interface Entry {
  family: 4 | 6;
  start: bigint;
  end: bigint;
  size: bigint;
  sector: string;
  naics: number | null;
}

export class AssetMap {
  constructor(private readonly entries: Entry[]) {}

  static async load(path: string): Promise<AssetMap> {
    const text = await readInputFile(path, 'the asset map');
    let rows: string[][];
    try {
      rows = parse(text, {
        skip_empty_lines: true,
        relax_column_count: true,
        trim: true,
        comment: '#',
      });
    } catch (error) {
      throw new UsageError(`the asset map '${path}' is not CSV: ${(error as Error).message}`);
    }
    const entries: Entry[] = [];
    rows.forEach((row, i) => {
      const [cidr = '', sector = '', naics = ''] = row;
      if (i === 0 && cidr.toLowerCase() === 'cidr') return; // the optional header
      const origin = `${path}:${i + 1}`;
      if (!/^\d*$/.test(naics))
        throw new UsageError(`${origin}: naics '${naics}' must be a number (e.g. 541512)`);
      const parsed = parseSpec(cidr, origin);
      if (parsed.kind !== 'range')
        throw new UsageError(`${origin}: '${cidr}' is not a CIDR or address`);
      const { family, start, end } = parsed.range;
      entries.push({
        family,
        start,
        end,
        size: end - start,
        sector,
        naics: naics === '' || Number(naics) === 0 ? null : Number(naics),
      });
    });
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
