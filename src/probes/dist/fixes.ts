// How to fix an exposed distribution port (its risks and severity are set by
// risk.ts). The product fixes are the NAMES probe's, for the node behind the
// port by its full name; the firewall step is this kind's own.

import type { FixStep, Remediation } from '../kind.js';
import { fixesFor, FIXES as NAMES_FIXES } from '../names/fixes.js';
import { acceptedCookie } from '../outcomes.js';
import type { DistRecord } from './detail.js';
import { nodeEntryOf } from './risk.js';

/** Advice for every exposed distribution port, after its own fixes. */
export const DIST_GENERAL_FIXES = [
  'pin the distribution ports (inet_dist_listen_min/max) and allow them only between cluster nodes',
  'use a long random cookie, never the default or the node name',
  'or run distribution over TLS with verify_peer (-proto_dist inet_tls), so a cookie alone is not enough',
];

/** The fixes an exposed distribution port can need, most urgent first. */
export const DIST_FIXES = {
  'change-cookie': NAMES_FIXES['change-cookie'],
  firewall:
    "firewall the Erlang distribution port (the port of the row) to the cluster's own nodes only",
  couchdb: NAMES_FIXES.couchdb,
  rabbitmq: NAMES_FIXES.rabbitmq,
  ejabberd: NAMES_FIXES.ejabberd,
} as const;
export type DistFixId = keyof typeof DIST_FIXES;

const FIX_IDS = Object.keys(DIST_FIXES) as DistFixId[];
const PRODUCTS: readonly DistFixId[] = ['couchdb', 'rabbitmq', 'ejabberd'];

/** The fixes one exposed distribution port needs, most urgent first. */
export function distFixesFor(r: DistRecord): DistFixId[] {
  const d = r.detail;
  if (!d) return ['firewall'];
  return fixesFor([nodeEntryOf(r, d)]);
}

/** How to fix one exposed distribution port. */
export function distFixes(r: DistRecord): Remediation {
  const ids = distFixesFor(r);
  const d = r.detail;
  const product: string[] = [];
  if (d && acceptedCookie(d.cookie ?? undefined) !== null) {
    product.push(
      `now: give ${d.fullName ?? `the node on port ${r.port}`} a new long random cookie and restart it (anyone reaching its port can run code)`,
    );
  }
  for (const id of ids) if (PRODUCTS.includes(id)) product.push(DIST_FIXES[id]);
  return {
    first: `firewall tcp/${r.port} (an Erlang distribution port) to the cluster's own nodes only`,
    firewall: "firewall Erlang distribution ports to the cluster's own nodes only",
    general: DIST_GENERAL_FIXES,
    product,
    steps: ids.map((id): FixStep => ({ rank: FIX_IDS.indexOf(id), text: DIST_FIXES[id] })),
  };
}
