// Records made by hand, as the NAMES probe would make them: the envelope,
// and the detail (the EPMD's port, its nodes, truncated) when given.

import { type NamesRecord, type NodeEntry, namesRecord } from '../../src/probes/names/index.js';
import type { ScanRecord, Severity } from '../../src/record.js';

/** A NAMES record's fields, flat as they used to be: the detail's beside the envelope's. */
export type FlatFields = Partial<Omit<ScanRecord, 'probe' | 'detail' | 'severity'>> & {
  ip: string;
  port: number;
  status: string;
  severity?: Severity;
  epmdPort?: number | null;
  nodes?: NodeEntry[];
  truncated?: boolean;
};

/** A NAMES record: with a detail when an epmd port or nodes are given (or the status is epmd). */
export function names(fields: FlatFields): NamesRecord {
  const { epmdPort, nodes, truncated, severity, ...envelope } = fields;
  const hasDetail =
    (epmdPort !== undefined && epmdPort !== null) ||
    nodes !== undefined ||
    fields.status === 'epmd';
  return namesRecord({
    severity: severity ?? 'high',
    ...envelope,
    detail: hasDetail
      ? { epmdPort: epmdPort ?? fields.port, nodes: nodes ?? [], truncated: truncated ?? false }
      : null,
  });
}
