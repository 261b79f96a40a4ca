// The summary's "how to fix" block: each exposure (the first few) with its
// specific fix and risks, then the general advice once.

import type { ScanRecord } from '../record.js';
import { escapeText } from '../text/escape.js';
import { remediationFor } from './risk.js';

/** Exposures listed by name in the summary; the rest are counted. */
export const LISTED_FIXES = 10;

function key(r: ScanRecord): string {
  return r.ip.includes(':') ? `[${r.ip}]:${r.port}` : `${r.ip}:${r.port}`;
}

/** `exposures`: the first exposures (at least LISTED_FIXES when there are that many); `total`: all of them. */
export function fixNotes(exposures: ScanRecord[], total = exposures.length): string[] {
  if (exposures.length === 0) return [];
  const lines = ['how to fix:'];
  for (const r of exposures.slice(0, LISTED_FIXES)) {
    const [first = '', ...rest] = remediationFor(r);
    const specific = rest.filter((f) => /^(CouchDB|RabbitMQ):/.test(f));
    lines.push(`  ${key(r)}${r.severity === 'critical' ? ' (critical)' : ''}: ${first}`);
    for (const risk of r.risks ?? []) lines.push(`    ! ${escapeText(risk)}`);
    for (const f of specific) lines.push(`    ${f}`);
  }
  const listed = Math.min(exposures.length, LISTED_FIXES);
  if (total > listed) lines.push(`  ... and ${total - listed} more exposures`);
  const general = remediationFor(exposures[0] as ScanRecord).slice(1, 4);
  for (const g of general) lines.push(`  also: ${g}`);
  return lines;
}
