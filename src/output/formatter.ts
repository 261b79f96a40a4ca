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
  /**
   * The footer a part at a time, for a format that writes its body at the
   * end (the HTML page): written part by part, never held whole. Formats
   * without it write footer().
   */
  footerParts?(): Iterable<string>;
  /** Lets go of what the formatter holds outside memory (the HTML page's temporary file). */
  dispose?(): void;
  /**
   * It writes records that are no exposure too (NDJSON with --all): every
   * record must reach format(). Absent or false: only exposures make rows.
   */
  readonly everyRecord?: boolean;
}

/** The footer's parts: footerParts() where a format has it, else footer() whole. */
export function footerOf(formatter: Formatter): Iterable<string> {
  return formatter.footerParts ? formatter.footerParts() : [formatter.footer()];
}

/** Every report format, in the order --help lists them. */
export const FORMATS = ['csv', 'ndjson', 'table', 'html', 'sarif'] as const;

/** A report format: one of FORMATS. */
export type Format = (typeof FORMATS)[number];
