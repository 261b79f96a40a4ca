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
import { isCouchName } from '../products.js';
import type { NamesRecord, NodeEntry } from './detail.js';

/** Whether a node is CouchDB's (by its short or full name). */
export function isCouch(n: NodeEntry): boolean {
  return isCouchName(n.name) || isCouchName(n.fullName ?? '');
}

/** Once --check-cookies has tried the default, its answer is the risk (or there is none). */
function cookieUnknown(n: NodeEntry): boolean {
  const outcome = n.cookie?.outcome;
  return outcome === undefined || outcome === 'not-tried' || outcome === 'inconclusive';
}

/** Risks in words, most serious first; empty when nothing beyond the exposure itself is known. */
export function risksFor(r: NamesRecord): string[] {
  const nodes = r.exposed ? (r.detail?.nodes ?? []) : [];
  const risks: string[] = [];
  for (const n of nodes) {
    const cookie = acceptedCookie(n.cookie);
    if (cookie !== null) risks.push(`${acceptedCookieRisk(cookie)} on ${n.name}:${n.port}`);
  }
  const reachable = nodes.filter((n) => n.distReachable);
  for (const n of reachable) {
    if (isCouch(n) && cookieUnknown(n)) {
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
  for (const n of nodes) {
    if (n.handshake?.outcome === 'tls') {
      risks.push(
        `distribution over TLS: a cookie alone may not be enough; check verify_peer (${n.name}:${n.port})`,
      );
    }
    if (n.fullName && accepting(n.handshake)) {
      risks.push(`node ${n.name} accepts distribution connections and calls itself ${n.fullName}`);
    }
  }
  if (reachable.length === 0 && nodes.some(isCouch)) {
    risks.push(
      'CouchDB node listed: if its distribution port is reachable, check the default cookie (CVE-2022-24706)',
    );
  }
  return risks;
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
