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

/** The characters a node separator may be made of (see --node-separator). */
export const SEPARATOR_CHARS = /[\x20\x21\x23-\x2b\x2d-\x2f\x3a-\x40\x5b\x5d-\x60\x7b-\x7e]/;

/**
 * A name as the `nodes` field holds it: `,` and the separator's characters
 * escaped inside it, and, after a separator, a first character a separator
 * could be made of too. So the field splits back one way only, whatever
 * the separator was: the separator is exactly what follows each `,port`.
 */
function fieldName(name: string, separator: string, first: boolean): string {
  const inner = escapeAscii(name, `${separator},`);
  if (first || !SEPARATOR_CHARS.test(inner.charAt(0))) return inner;
  return `\\x${inner.charCodeAt(0).toString(16).padStart(2, '0')}${inner.slice(1)}`;
}

/** The `nodes` field: `name,port` joined by the separator (names as fieldName writes them). */
export function formatNodes(record: ScanRecord, separator: string): string {
  return record.nodes
    .map((n, i) => `${fieldName(n.name, separator, i === 0)},${n.port}`)
    .join(separator);
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
