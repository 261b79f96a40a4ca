// -v: one line on stderr for each exposure and each error, as it happens.
// Node names are escaped text already (at parse time); a hostname is
// escaped here; a reply listing thousands of nodes names the first few.

import type { ScanRecord } from '../record.js';
import { hostPort } from '../targets/ip.js';
import { escapeText } from '../text/escape.js';

/** Nodes a -v line names; the rest are counted. */
export const LIVE_NODES = 10;

/** The -v line of a record: for an exposure or an error, null for anything else. */
export function liveLine(r: ScanRecord): string | null {
  const target = hostPort(r.ip, r.port);
  if (r.status === 'error') return `error ${target}: ${r.error ?? 'error'}`;
  if (r.status !== 'epmd') return null;
  const names = r.nodes.slice(0, LIVE_NODES).map((n) => `${n.name}:${n.port}`);
  const more = r.nodes.length - LIVE_NODES;
  const nodes = names.length === 0 ? 'no nodes' : `nodes ${names.join(' ')}`;
  const host = r.hostname ? ` (${escapeText(r.hostname)})` : '';
  return `exposed ${target}${host} ${r.severity}: ${nodes}${more > 0 ? ` and ${more} more` : ''}`;
}
