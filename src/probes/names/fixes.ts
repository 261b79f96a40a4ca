// How to fix an exposed EPMD, from what the scan learnt (its risks and
// severity are set by risk.ts).

import type { Remediation } from '../kind.js';
import { acceptedCookie } from '../outcomes.js';
import { productSteps } from '../products.js';
import type { NamesRecord } from './detail.js';

const GENERAL_FIXES = [
  'where no other host needs it, bind epmd to loopback: ERL_EPMD_ADDRESS=127.0.0.1',
  'pin the distribution ports (inet_dist_listen_min/max) and allow them only between cluster nodes',
  'use a long random cookie, never the default or the node name',
];

/** Distribution ports a fix line names; the rest are counted (a hostile reply may list thousands). */
export const LISTED_PORTS = 12;

/** How to fix one exposed EPMD: the specific step first, product steps, advice for every one. */
export function remediationFor(r: NamesRecord): Remediation {
  const nodes = r.detail?.nodes ?? [];
  const distPorts = [...new Set(nodes.map((n) => n.port))].sort((a, b) => a - b);
  const listed = distPorts.slice(0, LISTED_PORTS).join(', ');
  const more = distPorts.length - LISTED_PORTS;
  const ports =
    distPorts.length > 0
      ? ` and the distribution port${distPorts.length > 1 ? 's' : ''} ${listed}${more > 0 ? ` and ${more} more` : ''}`
      : '';
  const product = productSteps(
    nodes.map((n) => ({
      name: n.name,
      fullName: n.fullName,
      accepted: acceptedCookie(n.cookie) !== null,
    })),
  );
  return {
    first: `firewall tcp/${r.port}${ports} to trusted peers only`,
    firewall:
      nodes.length > 0
        ? "firewall the EPMD port and its nodes' distribution ports to trusted peers only"
        : 'firewall the EPMD port to trusted peers only',
    general: GENERAL_FIXES,
    product,
  };
}
