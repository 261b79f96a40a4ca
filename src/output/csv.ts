// The CSV report: Shadowserver's quoting (strings quoted, numbers bare, empty
// fields empty), one row per exposure. The columns are the probe kind's: for
// the EPMD NAMES probe, Shadowserver's scan_epmd columns in their order. The
// envelope's columns are filled here, the kind's own (tag, nodes) by the kind.

import { stringify } from 'csv-stringify/sync';
import { NAMES } from '../probes/names/index.js';
import { kindOf, probeKind } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';
import { escapeText } from '../text/escape.js';
import { neutraliseFormula } from '../text/formula.js';
import type { Formatter } from './formatter.js';

export { formatNodes, SCAN_EPMD_COLUMNS, SEPARATOR_CHARS } from '../probes/names/index.js';

const CSV_OPTIONS = { quoted_string: true, quoted_empty: false, record_delimiter: 'unix' } as const;

/** `2026-11-23 00:48:19`: UTC, to the second, as Shadowserver writes it. */
export function shadowserverTimestamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export interface CsvOptions {
  /** Between nodes in the `nodes` field (default `;`). */
  nodeSeparator?: string;
  /** The probe kind whose columns the header names (default `names`: scan_epmd's). */
  probe?: string;
}

function text(s: string): string {
  return neutraliseFormula(escapeText(s));
}

/** The envelope's columns, by name, as Shadowserver writes them. */
function envelopeCells(r: ScanRecord): Record<string, string | number> {
  return {
    timestamp: shadowserverTimestamp(r.timestamp),
    severity: r.severity,
    ip: r.ip,
    protocol: r.protocol,
    port: r.port,
    hostname: text(r.hostname),
    asn: r.asn ?? '',
    geo: text(r.geo),
    region: text(r.region),
    city: text(r.city),
    naics: r.naics ?? '',
    hostname_source: text(r.hostnameSource),
    sector: text(r.sector),
  };
}

/** The row of one record in its kind's columns, as Shadowserver would write it. */
export function csvRow(record: ScanRecord, options: CsvOptions = {}): string {
  const kind = kindOf(record);
  const own = kind.csv.cells(record, { nodeSeparator: options.nodeSeparator ?? ';' });
  const envelope = envelopeCells(record);
  const row = kind.csv.columns.map((c) => own[c] ?? envelope[c] ?? '');
  return stringify([row], CSV_OPTIONS);
}

/** CSV output: a header, then a row for each exposure. */
export function csvFormatter(options: CsvOptions = {}): Formatter {
  const { columns } = probeKind(options.probe ?? NAMES).csv;
  return {
    header: () => stringify([columns as unknown as string[]], CSV_OPTIONS),
    format: (record) => (record.exposed ? csvRow(record, options) : ''),
    footer: () => '',
  };
}
