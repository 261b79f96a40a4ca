// Shadowserver's scan_epmd CSV: their columns in their order, their quoting
// (strings quoted, numbers bare, empty fields empty), one row per exposed EPMD.

import { stringify } from 'csv-stringify/sync';
import type { ScanRecord } from '../record.js';
import { escapeAscii, escapeText } from '../text/escape.js';
import { neutraliseFormula } from '../text/formula.js';
import type { Formatter } from './formatter.js';

/** The 15 columns of Shadowserver's scan_epmd report, in order. */
export const SCAN_EPMD_COLUMNS = [
  'timestamp',
  'severity',
  'ip',
  'protocol',
  'port',
  'hostname',
  'tag',
  'asn',
  'geo',
  'region',
  'city',
  'naics',
  'hostname_source',
  'sector',
  'nodes',
] as const;

const CSV_OPTIONS = { quoted_string: true, quoted_empty: false, record_delimiter: 'unix' } as const;

/** `2026-11-23 00:48:19`: UTC, to the second, as Shadowserver writes it. */
export function shadowserverTimestamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** The `nodes` field: `name,port` joined by the separator; the separator is escaped inside names. */
export function formatNodes(record: ScanRecord, separator: string): string {
  return record.nodes.map((n) => `${escapeAscii(n.name, separator)},${n.port}`).join(separator);
}

export interface CsvOptions {
  /** Between nodes in the `nodes` field (default `;`). */
  nodeSeparator?: string;
}

function text(s: string): string {
  return neutraliseFormula(escapeText(s));
}

/** The row of one record, as Shadowserver would write it. */
export function csvRow(record: ScanRecord, options: CsvOptions = {}): string {
  const separator = options.nodeSeparator ?? ';';
  const row = [
    shadowserverTimestamp(record.timestamp),
    record.severity,
    record.ip,
    record.protocol,
    record.port,
    text(record.hostname),
    record.tag,
    record.asn ?? '',
    text(record.geo),
    text(record.region),
    text(record.city),
    record.naics ?? '',
    text(record.hostnameSource),
    text(record.sector),
    // Names are already escaped at parse time; only the formula guard remains.
    neutraliseFormula(formatNodes(record, separator)),
  ];
  return stringify([row], CSV_OPTIONS);
}

/** CSV output: a header, then a row for each record whose status is `epmd`. */
export function csvFormatter(options: CsvOptions = {}): Formatter {
  return {
    header: () => stringify([SCAN_EPMD_COLUMNS as unknown as string[]], CSV_OPTIONS),
    format: (record) => (record.status === 'epmd' ? csvRow(record, options) : ''),
    footer: () => '',
  };
}
