// The NAMES probe's code-scanning rules (SARIF): one per kind of risk, and
// one for the exposure itself. Their ids are stable, so code scanning
// matches a finding run to run; an exposure is reported under the rule of its
// most serious risk.

import type { SarifRender, SarifRule } from '../kind.js';
import type { NamesDetail } from './detail.js';
import { FIXES, type FixId, GENERAL_FIXES } from './fixes.js';
import { RISK_KINDS, type RiskKind, riskFindings } from './risk.js';

type RuleId = RiskKind | 'exposed-epmd';

const RULES: Record<RuleId, Omit<SarifRule, 'id' | 'help'> & { fixes: FixId[] }> = {
  'accepted-cookie': {
    name: 'AcceptedErlangCookie',
    short: 'An Erlang node accepted a default or listed cookie',
    full: 'The distribution handshake completed with a cookie epmd-scan tried (--check-cookies): anyone who reaches the node can run code on it (CVE-2022-24706 for CouchDB).',
    securitySeverity: '10.0',
    fixes: ['change-cookie', 'firewall'],
  },
  'couchdb-default-cookie': {
    name: 'CouchDbReachableDistribution',
    short: "A CouchDB node's distribution port is reachable",
    full: "A CouchDB node listed by an exposed EPMD accepts TCP connections on its distribution port; CouchDB before 3.2.2 shipped the cookie 'monster' (CVE-2022-24706).",
    securitySeverity: '9.8',
    fixes: ['couchdb', 'firewall'],
  },
  'reachable-distribution-port': {
    name: 'ReachableDistributionPort',
    short: "An Erlang node's distribution port is reachable",
    full: 'A node listed by an exposed EPMD accepts TCP connections on its distribution port: with a weak or default cookie, that is remote code execution.',
    securitySeverity: '9.0',
    fixes: ['firewall'],
  },
  'tls-distribution': {
    name: 'TlsDistribution',
    short: 'Erlang distribution over TLS is reachable',
    full: 'A node answers its distribution port with TLS: a cookie alone may not be enough, unless the node does not check its peers (verify_peer).',
    securitySeverity: '7.5',
    fixes: ['firewall'],
  },
  'open-distribution-handshake': {
    name: 'OpenDistributionHandshake',
    short: 'An Erlang node accepts distribution handshakes from anyone',
    full: 'A node answered the distribution handshake with ok and its full name: it goes on to authenticate anyone who reaches it, and its name leaks a host name.',
    securitySeverity: '9.0',
    fixes: ['firewall'],
  },
  'couchdb-listed': {
    name: 'CouchDbListed',
    short: 'An exposed EPMD lists a CouchDB node',
    full: "An exposed EPMD lists a CouchDB node; if its distribution port is reachable, check the default cookie 'monster' (CVE-2022-24706).",
    securitySeverity: '8.0',
    fixes: ['couchdb', 'firewall'],
  },
  'exposed-epmd': {
    name: 'ExposedEpmd',
    short: 'An Erlang Port Mapper Daemon (EPMD) is exposed',
    full: 'EPMD (tcp/4369) answers the NAMES request: it tells anyone which Erlang nodes run on the host and on which distribution ports.',
    securitySeverity: '7.5',
    fixes: ['firewall'],
  },
};

/** Every rule, in a fixed order: the risks most serious first, then the exposure itself. */
const SARIF_RULES: readonly SarifRule[] = [...RISK_KINDS, 'exposed-epmd' as const].map((id) => {
  const { fixes, ...rule } = RULES[id];
  // Its fixes, then the advice for every exposure.
  return { id, ...rule, help: [...fixes.map((f) => FIXES[f]), ...GENERAL_FIXES] };
});

export const namesSarif: SarifRender<NamesDetail> = {
  rules: SARIF_RULES,
  tags: ['erlang', 'epmd'],
  ruleOf: (r) => {
    const kinds = new Set<string>(riskFindings(r).map((x) => x.kind));
    return SARIF_RULES.find((rule) => kinds.has(rule.id))?.id ?? 'exposed-epmd';
  },
};
