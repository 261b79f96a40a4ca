// NDJSON: one JSON object per line, with the fields the README and
// schema/record.schema.json fix. Names are already safe text (escaped at
// parse time); the other strings from outside (hostnames from DNS or the
// target list, mmdb and asset-map values) get the same escaping as in CSV
// and the table, so `\xNN` means one thing everywhere.

import type { NodeEntry, ScanRecord } from '../record.js';
import { escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

/**
 * A node's fields beyond name and port, in the order NDJSON writes them: every
 * one is present on every node (null when its follow-up was not asked for or
 * found nothing), so a consumer sees one shape.
 */
export const NODE_FOLLOW_UP_FIELDS = [
  ['type', 'type'],
  ['protocol', 'protocol'],
  ['highestVersion', 'highest_version'],
  ['lowestVersion', 'lowest_version'],
  ['nodeInfoError', 'node_info_error'],
  ['distReachable', 'dist_reachable'],
  ['distStatus', 'dist_status'],
  ['fullName', 'full_name'],
  ['flags', 'flags'],
  ['cookie', 'cookie'],
  ['cookieError', 'cookie_error'],
] as const satisfies readonly (readonly [Exclude<keyof NodeEntry, 'name' | 'port'>, string])[];

/** Fails to compile when a NodeEntry field is missing from the list above. */
const everyNodeField: [
  Exclude<keyof NodeEntry, 'name' | 'port' | (typeof NODE_FOLLOW_UP_FIELDS)[number][0]>,
] extends [never]
  ? true
  : never = true;
void everyNodeField;

function nodeJson(node: NodeEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { name: node.name, port: node.port };
  for (const [key, json] of NODE_FOLLOW_UP_FIELDS) out[json] = node[key] ?? null;
  return out;
}

/** A text field from outside, escaped; null when absent (never ""). */
function text(value: string): string | null {
  return value === '' ? null : escapeText(value);
}

/**
 * The JSON object of one record: the contract of schema/record.schema.json.
 * Every field is present on every record; an absent value is null, never "";
 * `severity` and `tag` belong to exposures (`epmd`) and are null on the
 * other statuses; `risks` and `follow_ups_cut` are arrays, maybe empty.
 */
export function recordJson(r: ScanRecord): Record<string, unknown> {
  const exposure = r.status === 'epmd';
  return {
    timestamp: r.timestamp.toISOString(),
    ip: r.ip,
    port: r.port,
    protocol: r.protocol,
    status: r.status,
    epmd_port: r.epmdPort,
    nodes: r.nodes.map(nodeJson),
    truncated: r.truncated,
    error: r.error || null,
    hostname: text(r.hostname),
    hostname_source: text(r.hostnameSource),
    asn: r.asn,
    geo: text(r.geo),
    region: text(r.region),
    city: text(r.city),
    naics: r.naics,
    sector: text(r.sector),
    severity: exposure ? r.severity : null,
    tag: exposure ? r.tag : null,
    risks: r.risks ?? [],
    follow_ups_cut: r.followUpsCut ?? [],
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
