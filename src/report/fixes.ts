// The summary's "how to fix" block: each exposure (the first few) with its
// specific fix and risks, then the general advice once.

import type { ScanRecord } from '../record.js';
import { hostPort } from '../targets/ip.js';
import { escapeComposed } from '../text/escape.js';
import { remediationFor } from './risk.js';

/** Exposures listed by name in the summary; the rest are counted. */
export const LISTED_FIXES = 10;

/** `exposures`: the first exposures (at least LISTED_FIXES when there are that many); `total`: all of them. */
export function fixNotes(exposures: ScanRecord[], total = exposures.length): string[] {
  if (exposures.length === 0) return [];
  const lines = ['how to fix:'];
  for (const r of exposures.slice(0, LISTED_FIXES)) {
    const fix = remediationFor(r);
    lines.push(
      `  ${hostPort(r.ip, r.port)}${r.severity === 'critical' ? ' (critical)' : ''}: ${fix.first}`,
    );
    for (const risk of r.risks ?? []) lines.push(`    ! ${escapeComposed(risk)}`);
    for (const f of fix.product) lines.push(`    ${f}`);
  }
  const listed = Math.min(exposures.length, LISTED_FIXES);
  if (total > listed) lines.push(`  ... and ${total - listed} more exposures`);
  for (const g of remediationFor(exposures[0] as ScanRecord).general) lines.push(`  also: ${g}`);
  return lines;
}
