// What an exposure means, from what the probe and its follow-ups learnt: the
// record's risks and severity, set before the record leaves the scan (how to
// fix an exposure is the report's part, report/risk.ts).
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
const ACCEPTED = 'accepted: ';

/** The label of the cookie a node accepted (`monster`, `file entry #2`), or null. */
export function acceptedCookie(n: NodeEntry): string | null {
  return n.cookie?.startsWith(ACCEPTED) ? n.cookie.slice(ACCEPTED.length) : null;
}

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

/** What the distribution checks learnt: cookies, CouchDB, reachable ports. */
function reachRisks(r: ScanRecord, out: Risk[]): void {
  for (const n of r.nodes) {
    const cookie = acceptedCookie(n);
    if (cookie !== null) {
      out.push({
        kind: 'accepted-cookie',
        text: `${acceptedCookieRisk(cookie)} on ${n.name}:${n.port}`,
      });
    }
  }
  const reachable = r.nodes.filter((n) => n.distReachable);
  for (const n of reachable) {
    // Once --check-cookies has tried the default, its answer is the risk (or there is none).
    if (
      isCouch(n) &&
      (n.cookie === undefined || n.cookie === 'not-tried' || n.cookie === 'inconclusive')
    ) {
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
export function riskFindings(r: ScanRecord): Risk[] {
  if (r.status !== 'epmd') return [];
  const risks: Risk[] = [];
  reachRisks(r, risks);
  for (const n of r.nodes) {
    if (n.distStatus === 'tls') {
      risks.push({
        kind: 'tls-distribution',
        text: `distribution over TLS: a cookie alone may not be enough; check verify_peer (${n.name}:${n.port})`,
      });
    }
    if (n.fullName && n.distStatus?.startsWith('ok')) {
      risks.push({
        kind: 'open-distribution-handshake',
        text: `node ${n.name} accepts distribution connections and calls itself ${n.fullName}`,
      });
    }
  }
  if (!r.nodes.some((n) => n.distReachable) && r.nodes.some(isCouch)) {
    risks.push({
      kind: 'couchdb-listed',
      text: 'CouchDB node listed: if its distribution port is reachable, check the default cookie (CVE-2022-24706)',
    });
  }
  return risks;
}

/** Risks in words, most serious first; empty when nothing beyond the exposure itself is known. */
export function risksFor(r: ScanRecord): string[] {
  return riskFindings(r).map((x) => x.text);
}

/** Raises the severity to critical when a distribution port was reached or a cookie accepted. */
export function applyRisk(r: ScanRecord): void {
  const risks = risksFor(r);
  if (risks.length > 0) r.risks = risks;
  if (r.nodes.some((n) => n.distReachable || acceptedCookie(n) !== null)) r.severity = 'critical';
}
