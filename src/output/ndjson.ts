// NDJSON: one JSON object per line, with the fields the README and
// schema/record.schema.json fix: the envelope's, with the probe kind's own
// fields after `exposed`. Node names are already safe text (escaped at parse
// time); the other strings from outside (hostnames from DNS or the target
// list, mmdb and asset-map values) get the same escaping as in CSV and the
// table, so `\xNN` means one thing everywhere.

import { kindOf } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';
import { escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

/** A text field from outside, escaped; null when absent (never ""). */
function text(value: string): string | null {
  return value === '' ? null : escapeText(value);
}

/**
 * The JSON object of one record: the contract of schema/record.schema.json.
 * Every field is present on every record; an absent value is null, never "";
 * `severity` and `tag` belong to exposures and are null on every other
 * record; `risks` and `follow_ups_cut` are arrays, maybe empty.
 */
export function recordJson(r: ScanRecord): Record<string, unknown> {
  const kind = kindOf(r);
  return {
    timestamp: r.timestamp.toISOString(),
    ip: r.ip,
    port: r.port,
    protocol: r.protocol,
    probe: r.probe,
    status: r.status,
    exposed: r.exposed,
    ...kind.ndjson(r),
    error: r.error || null,
    hostname: text(r.hostname),
    hostname_source: text(r.hostnameSource),
    asn: r.asn,
    geo: text(r.geo),
    region: text(r.region),
    city: text(r.city),
    naics: r.naics,
    sector: text(r.sector),
    severity: r.exposed ? r.severity : null,
    tag: r.exposed ? kind.tag : null,
    risks: r.risks ?? [],
    follow_ups_cut: r.followUpsCut ?? [],
  };
}

export interface NdjsonOptions {
  /** One line for every target, not only exposures. */
  all?: boolean;
}

export function ndjsonFormatter(options: NdjsonOptions = {}): Formatter {
  return {
    header: () => '',
    format: (r) => (options.all || r.exposed ? `${JSON.stringify(recordJson(r))}\n` : ''),
    everyRecord: options.all === true,
    footer: () => '',
  };
}
