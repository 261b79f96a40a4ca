// The shape every output format shares.

import type { ScanRecord } from '../record.js';

/** Turns records into text; an empty string means "nothing for this record". */
export interface Formatter {
  header(): string;
  format(record: ScanRecord): string;
  footer(): string;
}
