// What an exposed distribution port means, from what the probe and
// --check-cookies learnt: the record's risks and severity (how to fix it is
// fixes.ts).
//
// Severity: `--severity` (default high), raised to critical when the node
// said ok (it takes a connection from anyone who reaches the port: with its
// cookie, that is remote code execution, as a NAMES node whose distribution
// port was reached) or accepted a cookie (that exploit proven). Other answers
// (not_allowed, nok, tls) keep `--severity`. Nothing ever lowers a row.

import { acceptedCookieRisk } from '../../epmd/cookies.js';
import { acceptedCookie, accepting, handshakeText } from '../outcomes.js';
import { isCouchName } from '../products.js';
import type { DistRecord } from './detail.js';

/** Risks in words, most serious first. */
export function distRisks(r: DistRecord): string[] {
  const d = r.exposed ? r.detail : null;
  if (!d) return [];
  const node = d.fullName ?? `port ${r.port}`;
  const risks: string[] = [];
  const cookie = acceptedCookie(d.cookie ?? undefined);
  if (cookie !== null) risks.push(`${acceptedCookieRisk(cookie)} on ${node}:${r.port}`);
  const open = accepting(d.handshake);
  const untried = d.cookie === null || d.cookie.outcome === 'inconclusive';
  if (open && d.fullName && isCouchName(d.fullName) && untried) {
    risks.push(
      `CouchDB node ${d.fullName} with a reachable distribution port ${r.port}: check the default cookie (CVE-2022-24706)`,
    );
  }
  if (open) {
    risks.push(
      `Erlang distribution port open: ${node} takes connections from anyone who reaches port ${r.port} (its cookie is all that stands in the way of remote code execution)`,
    );
  } else if (d.handshake.outcome === 'tls') {
    risks.push(
      `distribution over TLS: a cookie alone may not be enough; check verify_peer (port ${r.port})`,
    );
  } else {
    risks.push(
      `Erlang distribution port ${r.port} reachable; the node answered ${handshakeText(d.handshake)}`,
    );
  }
  return risks;
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
