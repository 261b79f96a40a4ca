// How to fix an exposed distribution port (its risks and severity are set by
// risk.ts). The product steps are those of a NAMES node of the same name.

import type { Remediation } from '../kind.js';
import { acceptedCookie } from '../outcomes.js';
import { productSteps } from '../products.js';
import type { DistRecord } from './detail.js';

const GENERAL_FIXES = [
  'pin the distribution ports (inet_dist_listen_min/max) and allow them only between cluster nodes',
  'use a long random cookie, never the default or the node name',
  'or run distribution over TLS with verify_peer (-proto_dist inet_tls), so a cookie alone is not enough',
];

/** How to fix one exposed distribution port. */
export function distFixes(r: DistRecord): Remediation {
  const d = r.detail;
  const name = d?.fullName ?? null;
  return {
    first: `firewall tcp/${r.port} (an Erlang distribution port) to the cluster's own nodes only`,
    firewall: "firewall Erlang distribution ports to the cluster's own nodes only",
    general: GENERAL_FIXES,
    product:
      name === null
        ? []
        : productSteps([{ name, accepted: acceptedCookie(d?.cookie ?? undefined) !== null }]),
  };
}
