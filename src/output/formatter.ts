// The shape every output format shares.

import type { ScanRecord } from '../record.js';

/** Turns records into text; an empty string means "nothing for this record". */
export interface Formatter {
  header(): string;
  format(record: ScanRecord): string;
  footer(): string;
  /**
   * Takes back a record an earlier part of a resumed run formatted, for a
   * format that writes it only in the footer (the table); others omit it.
   */
  restore?(record: ScanRecord): void;
}

/** Every report format, in the order --help lists them. */
export const FORMATS = ['csv', 'ndjson', 'table', 'html', 'sarif'] as const;

/** A report format: one of FORMATS. */
export type Format = (typeof FORMATS)[number];
