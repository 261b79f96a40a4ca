// SARIF 2.1.0, for code scanning (GitHub's upload-sarif): one result
// per exposed EPMD, under a stable rule per kind of risk (report/rules.ts),
// its level from the row's severity, the host and port in the message.
//
// Written as it goes, like CSV: the header holds the tool and every rule and
// opens the results array; each exposure appends one result; the footer
// closes the document. A result after the first starts with a comma, so a
// resumed run, which cuts the report back to what its checkpoint counted,
// learns from the exposures it is given back (restore) whether one came
// before. Strings from the network are escaped text already (node names) or
// escaped here (hostnames), then JSON-encoded.

import type { ScanRecord, Severity } from '../record.js';
import type { Verdict } from '../report/gate.js';
import { type Rule, ruleHelp, ruleOf, SARIF_RULES } from '../report/rules.js';
import { hostPort } from '../targets/ip.js';
import { escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Where GitHub puts every finding when no target file was given (-iL). */
export const NO_TARGET_FILE = 'epmd-scan-targets';

/** Nodes one result names in its message and properties; the rest are counted. */
export const SARIF_NODES = 32;

export interface SarifOptions {
  /** The tool's version. */
  version?: string;
  /**
   * The file the findings point at: the target list (-iL), relative to the
   * repository root, where code scanning shows them. NO_TARGET_FILE without one.
   */
  location?: string;
  /** The gate's verdict on an exposure: allowed ones are suppressed, the baseline gives baselineState. */
  verdict?: (r: ScanRecord) => Verdict | null;
  /** At the footer: whether the run was cut short. */
  interrupted?: () => boolean;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

function ruleJson(rule: Rule): Record<string, unknown> {
  const help = ruleHelp(rule);
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.short },
    fullDescription: { text: rule.full },
    help: {
      text: `How to fix: ${help.join('; ')}.`,
      markdown: `**How to fix**\n\n${help.map((h) => `- ${h}`).join('\n')}`,
    },
    helpUri: 'https://github.com/epmd-scan/epmd-scan#fixing-what-it-finds',
    properties: {
      tags: ['security', 'network', 'erlang', 'epmd'],
      precision: 'very-high',
      'security-severity': rule.securitySeverity,
    },
  };
}

/** The document up to and including the opening of the results array. */
function sarifHeader(version: string): string {
  const head = JSON.stringify({
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'epmd-scan',
            semanticVersion: version,
            informationUri: 'https://github.com/epmd-scan/epmd-scan',
            rules: SARIF_RULES.map(ruleJson),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: [],
      },
    ],
  });
  // Everything but the closing `]}]}` of the empty results array.
  return `${head.slice(0, -4)}\n`;
}

/** The message: what is exposed, where, its nodes (the first few) and risks. */
function message(r: ScanRecord, target: string): string {
  const nodes = r.nodes.slice(0, SARIF_NODES).map((n) => `${n.name}:${n.port}`);
  const more = r.nodes.length - SARIF_NODES;
  const host = r.hostname ? ` (${escapeText(r.hostname)})` : '';
  const listing =
    nodes.length === 0
      ? 'no nodes'
      : `nodes ${nodes.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const risks = (r.risks ?? []).length > 0 ? `. ${(r.risks ?? []).join('. ')}` : '';
  return `Exposed EPMD at ${target}${host} listing ${listing}${risks}.`;
}

/** One exposure's result. */
export function sarifResult(r: ScanRecord, options: SarifOptions = {}): Record<string, unknown> {
  const rule = ruleOf(r);
  const target = hostPort(r.ip, r.port);
  const verdict = options.verdict?.(r) ?? null;
  return {
    ruleId: rule.id,
    ruleIndex: SARIF_RULES.indexOf(rule),
    level: LEVEL[r.severity],
    message: { text: message(r, target) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: options.location ?? NO_TARGET_FILE, uriBaseId: '%SRCROOT%' },
          region: { startLine: 1 },
        },
        logicalLocations: [{ fullyQualifiedName: `tcp://${target}`, kind: 'resource' }],
      },
    ],
    // One alert per ip:port and rule, whichever file the targets came from.
    partialFingerprints: { 'epmdTarget/v1': `${target}/${rule.id}` },
    ...(verdict?.baseline ? { baselineState: verdict.baseline } : {}),
    ...(verdict?.allowed
      ? { suppressions: [{ kind: 'external', justification: 'accepted by --allow' }] }
      : {}),
    properties: {
      ip: r.ip,
      port: r.port,
      severity: r.severity,
      epmdPort: r.epmdPort,
      nodes: r.nodes.slice(0, SARIF_NODES).map((n) => ({ name: n.name, port: n.port })),
      nodesTotal: r.nodes.length,
      hostname: r.hostname === '' ? null : escapeText(r.hostname),
      risks: r.risks ?? [],
    },
  };
}

/** The SARIF report: a result per exposed EPMD, written as each is found. */
export function sarifFormatter(options: SarifOptions = {}): Formatter {
  let results = 0;
  const take = (r: ScanRecord): void => {
    if (r.status === 'epmd') results++;
  };
  return {
    header: () => sarifHeader(options.version ?? '0.0.0'),
    format: (r) => {
      if (r.status !== 'epmd') return '';
      const json = JSON.stringify(sarifResult(r, options));
      return `${results++ === 0 ? '' : ','}${json}\n`;
    },
    restore: take,
    footer: () => {
      const invocation = {
        executionSuccessful: options.interrupted?.() !== true,
        endTimeUtc: new Date().toISOString(),
      };
      return `],"invocations":[${JSON.stringify(invocation)}]}]}\n`;
    },
  };
}
