// The summary's "how to fix" block, grouped by fix rather than by exposure:
// each fix once, with the exposures it is for (the first few named), then
// the advice for every exposure once. A few lines however many exposures.

import { kindOf } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';
import { hostPort } from '../targets/ip.js';

/** Exposures kept for the fixes (the first ones found); the rest are counted. */
export const LISTED_FIXES = 10;
/** Fix lines at most, besides the general advice. */
export const FIX_LINES = 4;
/** Exposures named on one fix line. */
const NAMED = 3;

/** `exposures`: the first exposures (up to LISTED_FIXES); `total`: all of them. */
export function fixNotes(exposures: ScanRecord[], total = exposures.length): string[] {
  if (exposures.length === 0) return [];
  const groups = new Map<string, string[]>();
  const add = (fix: string, target: string): void => {
    const list = groups.get(fix) ?? [];
    list.push(target);
    groups.set(fix, list);
  };
  for (const r of exposures.slice(0, LISTED_FIXES)) {
    const target = `${hostPort(r.ip, r.port)}${r.severity === 'critical' ? ' (critical)' : ''}`;
    const fix = kindOf(r).fixes(r);
    for (const f of fix.product) add(f, target);
    add(fix.firewall, target);
  }
  const lines = [`how to fix (${total} exposure${total === 1 ? '' : 's'}):`];
  // Urgent fixes (a cookie to change now) come first, as remediationFor orders them.
  for (const [fix, targets] of [...groups].slice(0, FIX_LINES)) {
    const more = targets.length - NAMED;
    lines.push(
      `  ${fix}: ${targets.slice(0, NAMED).join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }
  if (groups.size > FIX_LINES)
    lines.push(`  ... and ${groups.size - FIX_LINES} more fixes: see the report`);
  const first = exposures[0] as ScanRecord;
  lines.push(`  also: ${kindOf(first).fixes(first).general.join('; ')}`);
  return lines;
}
