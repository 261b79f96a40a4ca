// SARIF 2.1.0, for code scanning (GitHub's upload-sarif): one result
// per exposure, under a stable rule of its probe kind's (for NAMES one per
// kind of risk, probes/names/sarif.ts), its level from the row's severity,
// the host and port in the message.
//
// Written as it goes, like CSV: the header holds the tool and every rule and
// opens the results array; each exposure appends one result; the footer
// closes the document. A result after the first starts with a comma, so a
// resumed run, which cuts the report back to what its checkpoint counted,
// learns from the exposures it is given back (restore) whether one came
// before. Strings from the network are escaped text already (node names) or
// escaped here (hostnames), then JSON-encoded.

import type { ProbeKind, SarifRender, SarifRule } from '../probes/kind.js';
import { NAMES, namesDetail } from '../probes/names/index.js';
import { kindOf, probeKind } from '../probes/registry.js';
import type { ScanRecord, Severity } from '../record.js';
import type { Verdict } from '../report/gate.js';
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
  /** The probe kind whose rules the document lists (default `names`). */
  probe?: string;
}

/** A kind without rules of its own: one rule for every exposure of it. */
function oneRule(kind: ProbeKind): SarifRender<object> {
  const id = `exposed-${kind.name}`;
  const noun = kind.noun[0];
  const rule: SarifRule = {
    id,
    name: id
      .split('-')
      .map((w) => (w[0]?.toUpperCase() ?? '') + w.slice(1))
      .join(''),
    short: `${noun[0]?.toUpperCase() ?? ''}${noun.slice(1)}`,
    full: `${kind.describe}: ${noun}`,
    securitySeverity: '7.5',
    help: [],
  };
  return { rules: [rule], tags: [kind.name], ruleOf: () => id };
}

/** A kind's code-scanning rules. */
const sarifOf = (kind: ProbeKind): SarifRender<object> => kind.sarif ?? oneRule(kind);

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

function ruleJson(rule: SarifRule, tags: readonly string[]): Record<string, unknown> {
  const { help } = rule;
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
      tags: ['security', 'network', ...tags],
      precision: 'very-high',
      'security-severity': rule.securitySeverity,
    },
  };
}

/** The document up to and including the opening of the results array. */
function sarifHeader(version: string, rules: SarifRender<object>): string {
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
            rules: rules.rules.map((rule) => ruleJson(rule, rules.tags)),
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
  const kind = kindOf(r);
  const shown = kind.nodes(r);
  const nodes = shown.slice(0, SARIF_NODES).map((n) => `${n.name}:${n.port}`);
  const more = shown.length - SARIF_NODES;
  const noun = kind.noun[0];
  const host = r.hostname ? ` (${escapeText(r.hostname)})` : '';
  const listing =
    nodes.length === 0
      ? 'no nodes'
      : `nodes ${nodes.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const risks = (r.risks ?? []).length > 0 ? `. ${(r.risks ?? []).join('. ')}` : '';
  return `${noun[0]?.toUpperCase() ?? ''}${noun.slice(1)} at ${target}${host} listing ${listing}${risks}.`;
}

/** One exposure's result. */
export function sarifResult(r: ScanRecord, options: SarifOptions = {}): Record<string, unknown> {
  const kind = kindOf(r);
  const rules = sarifOf(kind);
  const ruleId = rules.ruleOf(r);
  const shown = kind.nodes(r);
  const target = hostPort(r.ip, r.port);
  const verdict = options.verdict?.(r) ?? null;
  return {
    ruleId,
    ruleIndex: rules.rules.findIndex((rule) => rule.id === ruleId),
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
    partialFingerprints: { 'epmdTarget/v1': `${target}/${ruleId}` },
    ...(verdict?.baseline ? { baselineState: verdict.baseline } : {}),
    ...(verdict?.allowed
      ? { suppressions: [{ kind: 'external', justification: 'accepted by --allow' }] }
      : {}),
    properties: {
      ip: r.ip,
      port: r.port,
      severity: r.severity,
      probe: r.probe,
      epmdPort: namesDetail(r)?.epmdPort ?? null,
      nodes: shown.slice(0, SARIF_NODES).map((n) => ({ name: n.name, port: n.port })),
      nodesTotal: shown.length,
      hostname: r.hostname === '' ? null : escapeText(r.hostname),
      risks: r.risks ?? [],
    },
  };
}

/** The SARIF report: a result per exposed EPMD, written as each is found. */
export function sarifFormatter(options: SarifOptions = {}): Formatter {
  let results = 0;
  const take = (r: ScanRecord): void => {
    if (r.exposed) results++;
  };
  return {
    header: () =>
      sarifHeader(options.version ?? '0.0.0', sarifOf(probeKind(options.probe ?? NAMES))),
    format: (r) => {
      if (!r.exposed) return '';
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
