// What an exposure means, from what the probe and its follow-ups learnt: the
// record's risks and severity, set before the record leaves the scan (how to
// fix it is fixes.ts).
//
// Severity: CSV rows keep Shadowserver's meaning, `--severity` (default high)
// for every exposed EPMD. Two things raise a row to critical: a node whose
// distribution port was reached (--check-dist or --handshake), because an
// exposed EPMD with a reachable node is remotely exploitable with a weak or
// default cookie (CVE-2022-24706); and a node that accepted a default cookie
// (--check-cookies), which is that exploit proven. Nothing ever lowers a row.

import { acceptedCookieRisk } from '../../epmd/cookies.js';
import { acceptedCookie, accepting } from '../outcomes.js';
import type { NamesRecord, NodeEntry } from './detail.js';

const COUCHDB = /^couchdb(@|$)/i;

/** Whether a node is CouchDB's (by its short or full name). */
export function isCouch(n: NodeEntry): boolean {
  return COUCHDB.test(n.name) || COUCHDB.test(n.fullName ?? '');
}

/**
 * The kinds of risk an exposure can carry, most serious first: a closed
 * list, so a report can name each by a stable id (SARIF's rules).
 */
export const RISK_KINDS = [
  'accepted-cookie',
  'couchdb-default-cookie',
  'reachable-distribution-port',
  'tls-distribution',
  'open-distribution-handshake',
  'couchdb-listed',
] as const;

export type RiskKind = (typeof RISK_KINDS)[number];

/** One risk: its kind and its words. */
export interface Risk {
  kind: RiskKind;
  text: string;
}

/** Once --check-cookies has tried the default, its answer is the risk (or there is none). */
function cookieUnknown(n: NodeEntry): boolean {
  const outcome = n.cookie?.outcome;
  return outcome === undefined || outcome === 'not-tried' || outcome === 'inconclusive';
}

/** What the distribution checks learnt: cookies, CouchDB, reachable ports. */
function reachRisks(nodes: NodeEntry[], out: Risk[]): void {
  for (const n of nodes) {
    const cookie = acceptedCookie(n.cookie);
    if (cookie !== null) {
      out.push({
        kind: 'accepted-cookie',
        text: `${acceptedCookieRisk(cookie)} on ${n.name}:${n.port}`,
      });
    }
  }
  const reachable = nodes.filter((n) => n.distReachable);
  for (const n of reachable) {
    if (isCouch(n) && cookieUnknown(n)) {
      out.push({
        kind: 'couchdb-default-cookie',
        text: `CouchDB node ${n.name} with a reachable distribution port ${n.port}: check the default cookie (CVE-2022-24706)`,
      });
    }
  }
  if (reachable.length > 0) {
    out.push({
      kind: 'reachable-distribution-port',
      text: `distribution port reachable: ${reachable.map((n) => `${n.name}:${n.port}`).join(', ')}`,
    });
  }
}

/** Risks with their kinds, most serious first; empty when nothing beyond the exposure itself is known. */
export function riskFindings(r: NamesRecord): Risk[] {
  const nodes = r.exposed ? (r.detail?.nodes ?? []) : [];
  const risks: Risk[] = [];
  reachRisks(nodes, risks);
  for (const n of nodes) {
    if (n.handshake?.outcome === 'tls') {
      risks.push({
        kind: 'tls-distribution',
        text: `distribution over TLS: a cookie alone may not be enough; check verify_peer (${n.name}:${n.port})`,
      });
    }
    if (n.fullName && accepting(n.handshake)) {
      risks.push({
        kind: 'open-distribution-handshake',
        text: `node ${n.name} accepts distribution connections and calls itself ${n.fullName}`,
      });
    }
  }
  if (!nodes.some((n) => n.distReachable) && nodes.some(isCouch)) {
    risks.push({
      kind: 'couchdb-listed',
      text: 'CouchDB node listed: if its distribution port is reachable, check the default cookie (CVE-2022-24706)',
    });
  }
  return risks;
}

/** Risks in words, most serious first; empty when nothing beyond the exposure itself is known. */
export function risksFor(r: NamesRecord): string[] {
  return riskFindings(r).map((x) => x.text);
}

/** Sets the risks; raises the severity to critical when a distribution port was reached or a cookie accepted. */
export function assess(r: NamesRecord): void {
  const risks = risksFor(r);
  if (risks.length > 0) r.risks = risks;
  const nodes = r.detail?.nodes ?? [];
  if (nodes.some((n) => n.distReachable || acceptedCookie(n.cookie) !== null)) {
    r.severity = 'critical';
  }
}
