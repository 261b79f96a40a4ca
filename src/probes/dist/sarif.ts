// --probe dist's code-scanning rules (SARIF): one per kind of risk an exposed
// distribution port carries, each with a stable id, so code scanning matches
// a finding run to run; an exposure is reported under its most serious risk.

import type { SarifRender, SarifRule } from '../kind.js';
import type { DistDetail } from './detail.js';
import { DIST_FIXES, DIST_GENERAL_FIXES, type DistFixId } from './fixes.js';
import { DIST_RISK_KINDS, type DistRiskKind, distRiskFindings } from './risk.js';

const RULES: Record<DistRiskKind, Omit<SarifRule, 'id' | 'help'> & { fixes: DistFixId[] }> = {
  'accepted-cookie': {
    name: 'AcceptedErlangCookie',
    short: 'An Erlang node accepted a default or listed cookie',
    full: 'The distribution handshake on the port completed with a cookie epmd-scan tried (--check-cookies): anyone who reaches the node can run code on it (CVE-2022-24706 for CouchDB).',
    securitySeverity: '10.0',
    fixes: ['change-cookie', 'firewall'],
  },
  'couchdb-default-cookie': {
    name: 'CouchDbOpenDistributionPort',
    short: "A CouchDB node's distribution port takes connections",
    full: "A CouchDB node answers the distribution handshake on this port; CouchDB before 3.2.2 shipped the cookie 'monster' (CVE-2022-24706).",
    securitySeverity: '9.8',
    fixes: ['couchdb', 'firewall'],
  },
  'open-distribution-port': {
    name: 'OpenDistributionPort',
    short: 'An Erlang distribution port takes connections from anyone',
    full: "The port answered the distribution handshake with ok and the node's full name: it goes on to authenticate anyone who reaches it (a weak or default cookie is remote code execution), and its name leaks a host name.",
    securitySeverity: '9.0',
    fixes: ['firewall'],
  },
  'tls-distribution': {
    name: 'TlsDistributionPort',
    short: 'A TLS service answers on an Erlang distribution port',
    full: 'The port answered with TLS, as a node started with -proto_dist inet_tls does: a cookie alone may not be enough, unless the node does not check its peers (verify_peer).',
    securitySeverity: '7.5',
    fixes: ['firewall'],
  },
  'distribution-port': {
    name: 'ErlangDistributionPort',
    short: 'An Erlang distribution port is reachable',
    full: 'The port speaks the Erlang distribution protocol; its node did not take this scanner (not_allowed, nok, ...), but the port is open to the network.',
    securitySeverity: '7.0',
    fixes: ['firewall'],
  },
};

/** Every rule, most serious first. */
const SARIF_RULES: readonly SarifRule[] = DIST_RISK_KINDS.map((id) => {
  const { fixes, ...rule } = RULES[id];
  return { id, ...rule, help: [...fixes.map((f) => DIST_FIXES[f]), ...DIST_GENERAL_FIXES] };
});

export const distSarif: SarifRender<DistDetail> = {
  rules: SARIF_RULES,
  tags: ['erlang', 'erlang-distribution'],
  ruleOf: (r) => distRiskFindings(r)[0]?.kind ?? 'distribution-port',
};
