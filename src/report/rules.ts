// The rules a code-scanning report (SARIF) names: one per kind of risk, and
// one for the exposure itself. Their ids are stable, so code scanning
// matches a finding run to run; an exposure is reported under the rule of its
// most serious risk.

import { RISK_KINDS, type RiskKind, riskFindings } from '../probes/risk.js';
import type { ScanRecord } from '../record.js';
import { FIXES, type FixId, GENERAL_FIXES } from './risk.js';

export type RuleId = RiskKind | 'exposed-epmd';

export interface Rule {
  id: RuleId;
  /** PascalCase, as SARIF's reportingDescriptor.name. */
  name: string;
  short: string;
  full: string;
  /** GitHub's security-severity: 9.0+ critical, 7.0+ high, 4.0+ medium. */
  securitySeverity: string;
  /** The fixes that answer it, most urgent first. */
  fixes: FixId[];
}

const RULES: Record<RuleId, Omit<Rule, 'id'>> = {
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
export const SARIF_RULES: readonly Rule[] = [...RISK_KINDS, 'exposed-epmd' as const].map((id) => ({
  id,
  ...RULES[id],
}));

/** A rule's help: its fixes, then the advice for every exposure. */
export function ruleHelp(rule: Rule): string[] {
  return [...rule.fixes.map((f) => FIXES[f]), ...GENERAL_FIXES];
}

/** The rule an exposure is reported under: its most serious risk's, or exposed-epmd. */
export function ruleOf(r: ScanRecord): Rule {
  const kinds = new Set(riskFindings(r).map((x) => x.kind));
  return SARIF_RULES.find((rule) => kinds.has(rule.id as RiskKind)) ?? (SARIF_RULES.at(-1) as Rule);
}
