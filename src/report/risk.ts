// How to fix an exposure, from what the scan learnt (its risks and severity
// are set by probes/risk.ts).

import { acceptedCookie, isCouch } from '../probes/risk.js';
import type { ScanRecord } from '../record.js';

const RABBIT = /^rabbit(mq)?(@|$)/i;
const EJABBERD = /^ejabberd(@|$)/i;

/** Advice for every exposed EPMD, after its own fixes. */
export const GENERAL_FIXES = [
  'where no other host needs it, bind epmd to loopback: ERL_EPMD_ADDRESS=127.0.0.1',
  'pin the distribution ports (inet_dist_listen_min/max) and allow them only between cluster nodes',
  'use a long random cookie, never the default or the node name',
];

/**
 * The fixes an exposure can need, each in words that hold for every exposure
 * it applies to (the ports are the row's own): a report says each once, for
 * the rows it applies to. Most urgent first.
 */
export const FIXES = {
  'change-cookie':
    'change the cookie of a node that accepted one now, and restart it: anyone who reaches its distribution port can run code there',
  firewall:
    "firewall the EPMD port and its nodes' distribution ports (the ports of the row) to trusted peers only",
  couchdb: 'CouchDB: upgrade to 3.2.2 or later and set a unique -setcookie in vm.args',
  rabbitmq: 'RabbitMQ: set a strong RABBITMQ_ERLANG_COOKIE / .erlang.cookie on every node',
  ejabberd:
    "ejabberd: put a long random cookie in the ejabberd user's .erlang.cookie (ERLANG_COOKIE in the container image); in ejabberdctl.cfg set INET_DIST_INTERFACE=127.0.0.1 and ERLANG_NODE=ejabberd@localhost for a single node, or FIREWALL_WINDOW to pin a cluster's distribution ports",
} as const;

export type FixId = keyof typeof FIXES;

/** The fixes one exposure needs, most urgent first (as FIXES lists them). */
export function fixesFor(r: ScanRecord): FixId[] {
  const ids: FixId[] = [];
  if (r.nodes.some((n) => acceptedCookie(n) !== null)) ids.push('change-cookie');
  ids.push('firewall');
  if (r.nodes.some(isCouch)) ids.push('couchdb');
  if (r.nodes.some((n) => RABBIT.test(n.name))) ids.push('rabbitmq');
  if (r.nodes.some((n) => EJABBERD.test(n.name) || EJABBERD.test(n.fullName ?? ''))) {
    ids.push('ejabberd');
  }
  return ids;
}

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
  for (const id of fixesFor(r)) {
    if (id === 'couchdb' || id === 'rabbitmq' || id === 'ejabberd') product.push(FIXES[id]);
  }
  return {
    first: `firewall tcp/${r.port}${ports} to trusted peers only`,
    general: GENERAL_FIXES,
    product,
  };
}
