// What an exposure means and how to fix it, from what the scan learnt.
//
// Severity: CSV rows keep Shadowserver's meaning, `--severity` (default high)
// for every exposed EPMD. Two things raise a row to critical: a node whose
// distribution port was reached (--check-dist or --handshake), because an
// exposed EPMD with a reachable node is remotely exploitable with a weak or
// default cookie (CVE-2022-24706); and a node that accepted a default cookie
// (--check-cookies), which is that exploit proven. Nothing ever lowers a row.

import { acceptedCookieRisk } from '../epmd/cookies.js';
import type { NodeEntry, ScanRecord } from '../record.js';

const COUCHDB = /^couchdb(@|$)/i;
const RABBIT = /^rabbit(mq)?(@|$)/i;
const EJABBERD = /^ejabberd(@|$)/i;
const ACCEPTED = 'accepted: ';

/** The label of the cookie a node accepted (`monster`, `file entry #2`), or null. */
export function acceptedCookie(n: NodeEntry): string | null {
  return n.cookie?.startsWith(ACCEPTED) ? n.cookie.slice(ACCEPTED.length) : null;
}

function isCouch(n: NodeEntry): boolean {
  return COUCHDB.test(n.name) || COUCHDB.test(n.fullName ?? '');
}

/** Risks in words, most serious first; empty when nothing beyond the exposure itself is known. */
export function risksFor(r: ScanRecord): string[] {
  if (r.status !== 'epmd') return [];
  const risks: string[] = [];
  for (const n of r.nodes) {
    const cookie = acceptedCookie(n);
    if (cookie !== null) risks.push(`${acceptedCookieRisk(cookie)} on ${n.name}:${n.port}`);
  }
  const reachable = r.nodes.filter((n) => n.distReachable);
  for (const n of reachable) {
    // Once --check-cookies has tried the default, its answer is the risk (or there is none).
    if (
      isCouch(n) &&
      (n.cookie === undefined || n.cookie === 'not-tried' || n.cookie === 'inconclusive')
    ) {
      risks.push(
        `CouchDB node ${n.name} with a reachable distribution port ${n.port}: check the default cookie (CVE-2022-24706)`,
      );
    }
  }
  if (reachable.length > 0) {
    risks.push(
      `distribution port reachable: ${reachable.map((n) => `${n.name}:${n.port}`).join(', ')}`,
    );
  }
  for (const n of r.nodes) {
    if (n.distStatus === 'tls') {
      risks.push(
        `distribution over TLS: a cookie alone may not be enough; check verify_peer (${n.name}:${n.port})`,
      );
    }
    if (n.fullName && n.distStatus?.startsWith('ok')) {
      risks.push(`node ${n.name} accepts distribution connections and calls itself ${n.fullName}`);
    }
  }
  if (reachable.length === 0 && r.nodes.some(isCouch)) {
    risks.push(
      'CouchDB node listed: if its distribution port is reachable, check the default cookie (CVE-2022-24706)',
    );
  }
  return risks;
}

/** Raises the severity to critical when a distribution port was reached or a cookie accepted. */
export function applyRisk(r: ScanRecord): void {
  const risks = risksFor(r);
  if (risks.length > 0) r.risks = risks;
  if (r.nodes.some((n) => n.distReachable || acceptedCookie(n) !== null)) r.severity = 'critical';
}

const GENERAL_FIXES = [
  'where no other host needs it, bind epmd to loopback: ERL_EPMD_ADDRESS=127.0.0.1',
  'pin the distribution ports (inet_dist_listen_min/max) and allow them only between cluster nodes',
  'use a long random cookie, never the default or the node name',
];

/** How to fix one exposure: the specific step first, advice for every exposure, and product steps. */
export interface Remediation {
  /** Firewall this port and these distribution ports. */
  first: string;
  /** What applies to every exposed EPMD. */
  general: string[];
  /** Steps for the products its nodes show (CouchDB, RabbitMQ). */
  product: string[];
}

/** Distribution ports a fix line names; the rest are counted (a hostile reply may list thousands). */
export const LISTED_PORTS = 12;

export function remediationFor(r: ScanRecord): Remediation {
  const distPorts = [...new Set(r.nodes.map((n) => n.port))].sort((a, b) => a - b);
  const listed = distPorts.slice(0, LISTED_PORTS).join(', ');
  const more = distPorts.length - LISTED_PORTS;
  const ports =
    distPorts.length > 0
      ? ` and the distribution port${distPorts.length > 1 ? 's' : ''} ${listed}${more > 0 ? ` and ${more} more` : ''}`
      : '';
  const product: string[] = [];
  const open = r.nodes.filter((n) => acceptedCookie(n) !== null);
  if (open.length > 0)
    product.push(
      `now: give ${open.map((n) => n.name).join(', ')} a new long random cookie and restart it (anyone reaching its port can run code)`,
    );
  if (r.nodes.some(isCouch))
    product.push('CouchDB: upgrade to 3.2.2 or later and set a unique -setcookie in vm.args');
  if (r.nodes.some((n) => RABBIT.test(n.name)))
    product.push('RabbitMQ: set a strong RABBITMQ_ERLANG_COOKIE / .erlang.cookie on every node');
  if (r.nodes.some((n) => EJABBERD.test(n.name) || EJABBERD.test(n.fullName ?? '')))
    product.push(
      "ejabberd: put a long random cookie in the ejabberd user's .erlang.cookie (ERLANG_COOKIE in the container image); in ejabberdctl.cfg set INET_DIST_INTERFACE=127.0.0.1 and ERLANG_NODE=ejabberd@localhost for a single node, or FIREWALL_WINDOW to pin a cluster's distribution ports",
    );
  return {
    first: `firewall tcp/${r.port}${ports} to trusted peers only`,
    general: GENERAL_FIXES,
    product,
  };
}
