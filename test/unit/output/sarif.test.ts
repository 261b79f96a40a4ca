import { describe, expect, it } from 'vitest';
import { sarifFormatter } from '../../../src/output/sarif.js';
import { applyRisk } from '../../../src/probes/risk.js';
import { type NodeEntry, newRecord, type ScanRecord, type Severity } from '../../../src/record.js';
import { SARIF_RULES } from '../../../src/report/rules.js';
import { SARIF_SCHEMA_FILE, sarifErrors, sarifSchema } from '../../helpers/sarif.js';

const exposure = (
  port: number,
  nodes: NodeEntry[],
  extra: Partial<ScanRecord> = {},
): ScanRecord => {
  const r = newRecord({ ip: '192.0.2.7', port, status: 'epmd', epmdPort: 4369, nodes, ...extra });
  applyRisk(r);
  return r;
};

const records = [
  exposure(4369, [{ name: 'rabbit', port: 25672 }]),
  exposure(4370, [
    { name: 'couchdb', port: 9100, distReachable: true, cookie: 'accepted: monster' },
  ]),
  exposure(4371, [{ name: 'app', port: 9000, distStatus: 'tls' }], { severity: 'medium' }),
  exposure(4372, [{ name: '\\x1b[31m"evil', port: 9 }], { hostname: 'h\x07"<x>', severity: 'low' }),
  newRecord({ ip: '192.0.2.8', port: 4369, status: 'refused' }),
];

/** The whole document from a fresh formatter. */
function document(list: ScanRecord[], options = {}): string {
  const f = sarifFormatter({ version: '9.9.9', location: 'ranges/staging.txt', ...options });
  return f.header() + list.map((r) => f.format(r)).join('') + f.footer();
}

type Log = {
  runs: {
    tool: { driver: { rules: { id: string; properties: Record<string, string> }[] } };
    results: Record<string, unknown>[];
    invocations: { executionSuccessful: boolean }[];
  }[];
};

describe('SARIF 2.1.0', () => {
  it("is valid against the SARIF TC's JSON schema (rtm.5, from @microsoft/jest-sarif)", () => {
    expect(SARIF_SCHEMA_FILE).toMatch(
      /@microsoft\/jest-sarif\/lib\/schemas\/sarif-2\.1\.0-rtm\.5\.json$/,
    );
    expect(sarifSchema.title).toMatch(/SARIF\) Version 2\.1\.0/);
    const log = JSON.parse(document(records));
    expect(sarifErrors(log)).toEqual([]);
    // The validator is not a rubber stamp: a level SARIF lacks is refused.
    const bad = structuredClone(log);
    bad.runs[0].results[0].level = 'critical';
    expect(sarifErrors(bad).join()).toMatch(/level/);
    expect(sarifErrors(JSON.parse(document([])))).toEqual([]);
  });

  it('one result per exposure, under the rule of its most serious risk, its level from the severity', () => {
    const log = JSON.parse(document(records)) as Log;
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ['exposed-epmd', 'error'],
      ['accepted-cookie', 'error'],
      ['tls-distribution', 'warning'],
      ['exposed-epmd', 'note'],
    ]);
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    for (const r of results) expect(rules[r.ruleIndex as number]?.id).toBe(r.ruleId);
  });

  it('has a stable rule per risk, each with the severity GitHub shows', () => {
    expect(SARIF_RULES.map((r) => r.id)).toEqual([
      'accepted-cookie',
      'couchdb-default-cookie',
      'reachable-distribution-port',
      'tls-distribution',
      'open-distribution-handshake',
      'couchdb-listed',
      'exposed-epmd',
    ]);
    const rules = (JSON.parse(document([])) as Log).runs[0]?.tool.driver.rules ?? [];
    for (const rule of rules) {
      const score = Number(rule.properties['security-severity']);
      expect(score).toBeGreaterThanOrEqual(7);
      expect(score).toBeLessThanOrEqual(10);
    }
  });

  it('names the host and port in the message, and a location code scanning accepts', () => {
    const [first] = (JSON.parse(document(records)) as Log).runs[0]?.results ?? [];
    expect(first?.message).toEqual({
      text: 'Exposed EPMD at 192.0.2.7:4369 listing nodes rabbit:25672.',
    });
    expect(first?.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'ranges/staging.txt', uriBaseId: '%SRCROOT%' },
          region: { startLine: 1 },
        },
        logicalLocations: [{ fullyQualifiedName: 'tcp://192.0.2.7:4369', kind: 'resource' }],
      },
    ]);
    expect(first?.partialFingerprints).toEqual({ 'epmdTarget/v1': '192.0.2.7:4369/exposed-epmd' });
  });

  it('keeps hostile names escaped and the JSON whole', () => {
    const text = document(records);
    expect(text).not.toContain('\x1b');
    expect(text).not.toContain('\x07');
    const hostile = (JSON.parse(text) as Log).runs[0]?.results[3];
    expect((hostile?.message as { text: string }).text).toBe(
      'Exposed EPMD at 192.0.2.7:4372 (h\\x07"<x>) listing nodes \\x1b[31m"evil:9.',
    );
  });

  it('marks an allowed exposure as suppressed, and one in the baseline by its state', () => {
    const verdict = (r: ScanRecord) => ({
      allowed: r.port === 4369,
      baseline: r.port === 4369 ? ('unchanged' as const) : ('new' as const),
    });
    const results = (JSON.parse(document(records, { verdict })) as Log).runs[0]?.results ?? [];
    expect(results[0]?.suppressions).toEqual([
      { kind: 'external', justification: 'accepted by --allow' },
    ]);
    expect(results[0]?.baselineState).toBe('unchanged');
    expect(results[1]?.suppressions).toBeUndefined();
    expect(results[1]?.baselineState).toBe('new');
    expect(sarifErrors(JSON.parse(document(records, { verdict })))).toEqual([]);
  });

  it('resumed, it goes on after the results a checkpoint counted: one document, each result once', () => {
    const first = sarifFormatter();
    const before =
      first.header() +
      records
        .slice(0, 2)
        .map((r) => first.format(r))
        .join('');
    // A new run: the exposures of the counted part are given back, the header is not written again.
    const second = sarifFormatter({ interrupted: () => false });
    for (const r of records.slice(0, 2)) second.restore?.(r);
    const after =
      records
        .slice(2)
        .map((r) => second.format(r))
        .join('') + second.footer();
    const log = JSON.parse(before + after) as Log;
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0]?.results.map((r) => (r.properties as { port: number }).port)).toEqual([
      4369, 4370, 4371, 4372,
    ]);
    expect(log.runs[0]?.invocations[0]?.executionSuccessful).toBe(true);
  });

  it.each<[Severity, string]>([
    ['critical', 'error'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'note'],
    ['info', 'note'],
  ])('severity %s is level %s', (severity, level) => {
    const log = JSON.parse(document([exposure(4369, [], { severity })])) as Log;
    expect(log.runs[0]?.results[0]?.level).toBe(level);
  });
});
