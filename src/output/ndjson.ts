// NDJSON: one JSON object per line, with the fields CLI.md fixes. Names are
// already safe text (escaped at parse time); the other strings from outside
// (hostnames from DNS or the target list, mmdb and asset-map values) get the
// same escaping as in CSV and the table, so `\xNN` means one thing everywhere.

import type { NodeEntry, ScanRecord } from '../record.js';
import { escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

/** snake_case keys for a node's fields (e.g. highestVersion -> highest_version). */
function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function nodeJson(node: NodeEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (v !== undefined) out[snake(k)] = v;
  return out;
}

/** The JSON object of one record. */
export function recordJson(r: ScanRecord): Record<string, unknown> {
  return {
    timestamp: r.timestamp.toISOString(),
    ip: r.ip,
    port: r.port,
    protocol: r.protocol,
    status: r.status,
    epmd_port: r.epmdPort,
    nodes: r.nodes.map(nodeJson),
    truncated: r.truncated,
    error: r.error,
    hostname: escapeText(r.hostname),
    hostname_source: escapeText(r.hostnameSource),
    asn: r.asn,
    geo: escapeText(r.geo),
    region: escapeText(r.region),
    city: escapeText(r.city),
    naics: r.naics,
    sector: escapeText(r.sector),
    severity: r.severity,
    tag: r.tag,
    ...(r.risks && r.risks.length > 0 ? { risks: r.risks } : {}),
    ...(r.followUpsCut && r.followUpsCut.length > 0 ? { follow_ups_cut: r.followUpsCut } : {}),
  };
}

export interface NdjsonOptions {
  /** One line for every target, not only exposed EPMDs. */
  all?: boolean;
}

export function ndjsonFormatter(options: NdjsonOptions = {}): Formatter {
  return {
    header: () => '',
    format: (r) => (options.all || r.status === 'epmd' ? `${JSON.stringify(recordJson(r))}\n` : ''),
    footer: () => '',
  };
}
