// --baseline: an earlier scan_epmd CSV report, read back as it was written.
// Its node separator is read from the file itself, never taken from today's
// --node-separator: the writer escapes `,`, the separator's characters and
// a name's first character when a separator could hold it, so in a report
// of ours the separator is exactly what follows each `name,port`. The most
// frequent such run that splits every row into `name,port` parts is it.

import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { readCsvRows } from '../files/csv-rows.js';
import { MAX_BASELINE_ROW_BYTES } from '../files/lines.js';
import { SIZE_LIMITS } from '../files/side-file.js';
import { formatIP, hostPort, parseIP } from '../targets/ip.js';
import { canonicalText, shown } from '../text/escape.js';
import { unguardFormula } from '../text/formula.js';

/** A run of separator characters after a `,port`: a separator, or its start. */
const RUN = /,\d{1,5}([\x20\x21\x23-\x2b\x2d-\x2f\x3a-\x40\x5b\x5d-\x60\x7b-\x7e]{1,4})/g;
/** Candidates tried against every row, the most frequent first. */
const TRIED = 8;

/**
 * The node names of a `nodes` field, exactly as the records that were written
 * held them: the formula guard undone, split on the separator, each name cut
 * at its last comma (the port follows) and put in canonical escaped form. A
 * hand-made file's raw control bytes come out escaped, never raw. An empty
 * separator: the field holds one node.
 */
export function nodeNamesOfField(field: string, separator = ';'): string[] {
  return namesOf(unguardFormula(field), separator);
}

/** The names of a field whose guard is undone already. */
function namesOf(field: string, separator: string): string[] {
  const names: string[] = [];
  for (const part of separator === '' ? [field] : field.split(separator)) {
    if (part === '') continue;
    const comma = part.lastIndexOf(',');
    const name = canonicalText(comma === -1 ? part : part.slice(0, comma));
    if (name !== '') names.push(name);
  }
  return names;
}

/** True when `separator` splits `field` into `name,port` parts, no name holding its characters. */
function splitsCleanly(field: string, separator: string): boolean {
  return field.split(separator).every((part) => {
    const m = /^(.+),\d{1,5}$/s.exec(part);
    return m !== null && ![...separator].some((c) => (m[1] as string).includes(c));
  });
}

/** The separator of a report's `nodes` fields (guards undone): '' when no row has two nodes. */
export function detectSeparator(fields: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const field of fields) {
    for (const m of field.matchAll(RUN)) {
      const run = m[1] as string;
      counts.set(run, (counts.get(run) ?? 0) + 1);
    }
  }
  const ranked = [...counts]
    .sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)
    .slice(0, TRIED)
    .map(([run]) => run);
  // An older report may hold a name that starts with separator characters: try the runs' starts too.
  const tried = [
    ...new Set([...ranked, ...ranked.flatMap((r) => [1, 2, 3].map((n) => r.slice(0, n)))]),
  ];
  const nonEmpty = fields.filter((f) => f !== '');
  return tried.find((s) => nonEmpty.every((f) => splitsCleanly(f, s))) ?? '';
}

/** What readBaseline gives: ip:port (canonical address text) -> node names, and the file's digest. */
export interface Baseline {
  entries: Map<string, string[]>;
  /** `sha256:` and the hex digest of the file's bytes: a checkpoint records it. */
  digest: string;
}

/** The ip, port and nodes columns of a baseline's header row. */
function columnsOf(record: string[], path: string): { ip: number; port: number; nodes: number } {
  const header = record.map((h) => h.trim().toLowerCase());
  const ip = header.indexOf('ip');
  const port = header.indexOf('port');
  if (ip === -1 || port === -1) {
    throw new UsageError(
      `the baseline '${shown(path)}' has no ip and port columns`,
      'give an earlier epmd-scan (or Shadowserver scan_epmd) CSV report',
    );
  }
  return { ip, port, nodes: header.indexOf('nodes') };
}

/** The key of one row, or a UsageError naming its line. */
function keyOf(ipText: string, portText: string, path: string, line: number): string {
  const ip = parseIP(ipText.trim());
  const port = /^\d{1,5}$/.test(portText.trim()) ? Number(portText) : Number.NaN;
  if (!ip || !(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `${shown(path)}:${line}: not an exposure row (ip '${shown(ipText)}', port '${shown(portText)}')`,
    );
  }
  return hostPort(formatIP(ip.family, ip.value), port);
}

/**
 * Exposures of an earlier scan_epmd CSV. Streamed: a row may hold at most
 * `maxRow` bytes, the file at most SIZE_LIMITS.baseline.
 */
export async function readBaseline(
  path: string,
  options: { maxRow?: number; signal?: AbortSignal } = {},
): Promise<Baseline> {
  const fields = new Map<string, string>();
  const digest = createHash('sha256');
  let columns: { ip: number; port: number; nodes: number } | null = null;
  const rows = readCsvRows(path, 'the baseline', {
    maxRecord: options.maxRow ?? MAX_BASELINE_ROW_BYTES,
    maxBytes: SIZE_LIMITS.baseline,
    signal: options.signal,
    digest,
  });
  for await (const { record, line } of rows) {
    if (columns === null) {
      columns = columnsOf(record, path);
      continue;
    }
    const key = keyOf(record[columns.ip] ?? '', record[columns.port] ?? '', path, line);
    fields.set(key, unguardFormula(columns.nodes === -1 ? '' : (record[columns.nodes] ?? '')));
  }
  const separator = detectSeparator([...fields.values()]);
  const entries = new Map<string, string[]>();
  for (const [key, field] of fields) entries.set(key, namesOf(field, separator));
  return { entries, digest: `sha256:${digest.digest('hex')}` };
}
