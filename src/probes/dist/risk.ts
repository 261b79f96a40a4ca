// What an exposed distribution port means, from what the probe and
// --check-cookies learnt: the record's risks (each of a closed kind, so a
// report can name it by a stable id: SARIF's rules) and severity; how to fix
// it is fixes.ts.
//
// Severity: `--severity` (default high), raised to critical when the node
// said ok (it takes a connection from anyone who reaches the port: with its
// cookie, that is remote code execution, as for a NAMES node whose
// distribution port was reached) or accepted a cookie (that exploit proven).
// Other answers (not_allowed, nok, tls) keep `--severity`. Nothing ever
// lowers a row.

import { acceptedCookieRisk } from '../../epmd/cookies.js';
import type { NodeEntry } from '../names/index.js';
import { isCouch } from '../names/risk.js';
import { acceptedCookie, accepting, handshakeText } from '../outcomes.js';
import type { DistDetail, DistRecord } from './detail.js';

/** The kinds of risk an exposed distribution port can carry, most serious first. */
export const DIST_RISK_KINDS = [
  'accepted-cookie',
  'couchdb-default-cookie',
  'open-distribution-port',
  'tls-distribution',
  'distribution-port',
] as const;
export type DistRiskKind = (typeof DIST_RISK_KINDS)[number];

/** One risk: its kind and its words. */
export interface DistRisk {
  kind: DistRiskKind;
  text: string;
}

/** The node behind the port as the NAMES probe's helpers see a node. */
export function nodeEntryOf(r: DistRecord, d: DistDetail): NodeEntry {
  const name = d.fullName ?? `port ${r.port}`;
  return { name, port: r.port, fullName: d.fullName ?? undefined, cookie: d.cookie ?? undefined };
}

/** Risks with their kinds, most serious first. */
export function distRiskFindings(r: DistRecord): DistRisk[] {
  const d = r.exposed ? r.detail : null;
  if (!d) return [];
  const node = nodeEntryOf(r, d);
  const risks: DistRisk[] = [];
  const cookie = acceptedCookie(d.cookie ?? undefined);
  if (cookie !== null) {
    risks.push({
      kind: 'accepted-cookie',
      text: `${acceptedCookieRisk(cookie)} on ${node.name}:${r.port}`,
    });
  }
  const open = accepting(d.handshake);
  const untried = d.cookie === null || d.cookie.outcome === 'inconclusive';
  if (open && d.fullName && isCouch(node) && untried) {
    risks.push({
      kind: 'couchdb-default-cookie',
      text: `CouchDB node ${d.fullName} with a reachable distribution port ${r.port}: check the default cookie (CVE-2022-24706)`,
    });
  }
  if (open) {
    risks.push({
      kind: 'open-distribution-port',
      text: `Erlang distribution port open: ${node.name} takes connections from anyone who reaches port ${r.port} (its cookie is all that stands in the way of remote code execution)`,
    });
  } else if (d.handshake.outcome === 'tls') {
    risks.push({
      kind: 'tls-distribution',
      text: `distribution over TLS: a cookie alone may not be enough; check verify_peer (port ${r.port})`,
    });
  } else {
    risks.push({
      kind: 'distribution-port',
      text: `Erlang distribution port ${r.port} reachable; the node answered ${handshakeText(d.handshake)}`,
    });
  }
  return risks;
}

/** Risks in words, most serious first. */
export function distRisks(r: DistRecord): string[] {
  return distRiskFindings(r).map((x) => x.text);
}

/** Sets the risks; raises the severity to critical when the node said ok or took a cookie. */
export function assessDist(r: DistRecord): void {
  const risks = distRisks(r);
  if (risks.length > 0) r.risks = risks;
  const d = r.detail;
  if (d && (accepting(d.handshake) || acceptedCookie(d.cookie ?? undefined) !== null)) {
    r.severity = 'critical';
  }
}
