import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTML_CSP, htmlFormatter } from '../../../src/output/html.js';
import { createSpillFile, RowSpill, rowKey } from '../../../src/output/row-spill.js';
import { applyRisk } from '../../../src/probes/risk.js';
import { type NodeEntry, newRecord, type ScanRecord, STATUSES } from '../../../src/record.js';
import { Gate } from '../../../src/report/gate.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-html-unit-'));

const exposure = (
  ip: string,
  port: number,
  nodes: NodeEntry[],
  extra: Partial<ScanRecord> = {},
) => {
  const r = newRecord({ ip, port, status: 'epmd', epmdPort: 4369, nodes, ...extra });
  applyRisk(r);
  return r;
};
const byStatus = Object.fromEntries(
  STATUSES.map((s) => [s, 0]),
) as ScanRecord['status'] extends never ? never : Record<(typeof STATUSES)[number], number>;

function page(
  records: ScanRecord[],
  gate?: Gate,
  failOn?: ('new-exposure' | 'new-node')[],
): string {
  for (const r of records) gate?.observe(r);
  const f = htmlFormatter({
    spillDir: dir,
    now: () => new Date('2026-11-23T02:31:00Z'),
    verdict: gate ? (r) => gate.verdict(r) : undefined,
    context: () => ({
      total: records.length + 1,
      done: records.length + 1,
      byStatus: { ...byStatus, epmd: records.length, refused: 1 },
      gate: gate?.summary,
      failOn,
      scope: {
        targets: '192.0.2.0/24; -iL ranges.txt',
        ports: [4369],
        started: new Date('2026-11-23T02:30:00Z'),
        seconds: 60,
        resumedAt: 0,
      },
    }),
  });
  for (const r of records) f.format(r);
  return [...(f.footerParts?.() ?? [f.footer()])].join('');
}

const rows = (text: string): string[] =>
  [...text.matchAll(/<tr><td><code>([^<]+)<\/code>/g)].map((m) => m[1] as string);

describe('the HTML report is a verdict', () => {
  const records = [
    exposure('192.0.2.10', 4369, [{ name: 'rabbit', port: 25672 }]),
    exposure('192.0.2.9', 4369, [{ name: 'app', port: 9000 }]),
    exposure('2001:db8::1', 4369, [{ name: 'couchdb', port: 9100, distReachable: true }]),
    exposure('192.0.2.200', 4369, [{ name: 'x', port: 1 }], { severity: 'low' }),
  ];
  it('says at the top whether the gate tripped and why, then the changes, the scope and the severities', () => {
    const text = page(records, new Gate(new Map([['192.0.2.9:4369', ['app']]]), []), [
      'new-exposure',
      'new-node',
    ]);
    const at = (s: string): number => text.indexOf(s);
    expect(text).toContain('<p class="verdict tripped">Gate tripped (exit 1): new-exposure 3.</p>');
    expect(at('id="verdict"')).toBeLessThan(at('id="changes"'));
    expect(at('id="changes"')).toBeLessThan(at('id="scope"'));
    expect(at('id="scope"')).toBeLessThan(at('id="severity"'));
    expect(at('id="severity"')).toBeLessThan(at('id="fixes"'));
    expect(at('id="fixes"')).toBeLessThan(at('id="exposures"'));
    expect(text).toContain('New 3, gone 0, changed 0, allowed 0.');
    expect(text).toContain('<tr><th>targets</th><td>192.0.2.0/24; -iL ranges.txt</td></tr>');
    expect(text).toContain('<tr><th>started</th><td>2026-11-23 02:30:00 UTC</td></tr>');
    expect(text).toContain('<tr><th>ended</th><td>2026-11-23 02:31:00 UTC</td></tr>');
    expect(text).toContain('<tr><th>scanning time</th><td>1 min 0 s</td></tr>');
    expect(text).toContain(
      '<tr><td>critical</td><td>1</td></tr><tr><td>high</td><td>2</td></tr><tr><td>low</td><td>1</td></tr>',
    );
    // A row says what the gate made of it.
    expect(text).toMatch(/<code>192\.0\.2\.10:4369<\/code> <span class="new">new<\/span>/);
  });
  it('passes, or says no gate was asked for', () => {
    expect(page(records, new Gate(null, []), ['new-node'])).toContain(
      '<p class="verdict passed">Gate passed (new-node)',
    );
    expect(page(records)).toContain('<p class="verdict nogate">No gate was asked for');
  });
  it('lists rows most severe first, then by address (numerically, IPv4 before IPv6)', () => {
    expect(rows(page(records))).toEqual([
      '[2001:db8::1]:4369',
      '192.0.2.9:4369',
      '192.0.2.10:4369',
      '192.0.2.200:4369',
    ]);
  });
  it('says each fix once, with the rows it is for, and leaves out columns nothing filled', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      exposure(`198.51.100.${i}`, 4369, [{ name: 'rabbit', port: 25672 }]),
    );
    const text = page(many);
    expect(text.match(/firewall the EPMD port/g)).toHaveLength(1);
    expect(text).toMatch(
      /id="fix-2" value="2">firewall the EPMD port[^<]*<small>\(200 exposures\)/,
    );
    expect(text.match(/<a href="#fix-2">2<\/a>/g)).toHaveLength(200);
    const head = /<table id="exposures"><tr>(.*?)<\/tr>/.exec(text)?.[1];
    expect(head).toBe(
      '<th>target</th><th>severity</th><th>epmd port</th><th>nodes</th><th>fixes</th>',
    );
    const withHost = page([
      exposure('192.0.2.1', 4369, [], { hostname: 'mq.example', asn: 64500 }),
    ]);
    expect(/<table id="exposures"><tr>(.*?)<\/tr>/.exec(withHost)?.[1]).toContain(
      '<th>hostname</th><th>where</th>',
    );
  });
  it('1,024 exposures make a page of the size the README states, the firewall fix said once', () => {
    const list = Array.from({ length: 1024 }, (_, i) =>
      exposure(`10.0.${i >> 8}.${i & 255}`, 4369, [{ name: 'rabbit', port: 25672 }]),
    );
    const bytes = Buffer.byteLength(page(list));
    const kb = Math.round(bytes / 1000);
    console.log(`HTML report of 1,024 exposures: ${bytes} bytes`);
    expect(README).toContain(`1,024 exposures make a page of ${kb} kB`);
    expect(bytes).toBeLessThan(398_000 / 2);
  });
  it('allows nothing but its own style: the CSP names the style by its hash', () => {
    const text = page(records);
    const style = /<style>([\s\S]*?)<\/style>/.exec(text)?.[1] as string;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(HTML_CSP).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`,
    );
    expect(text).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`);
    expect(text).not.toMatch(/<script|<link|<img|style="/i);
  });
});

describe('the rows wait in a private temporary file', () => {
  it('0600, already unlinked, never over an existing name nor through a symlink', () => {
    const d = mkdtempSync(join(dir, 'spill-'));
    const spill = new RowSpill(d);
    for (let i = 0; i < 5000; i++)
      spill.add(`row ${i} ${'x'.repeat(100)}`, rowKey(1, '192.0.2.1', i));
    expect([...spill.sorted()].slice(0, 2)).toEqual([
      `row 0 ${'x'.repeat(100)}`,
      `row 1 ${'x'.repeat(100)}`,
    ]);
    expect(spill.fileMode()).toBe(0o600);
    expect(readdirSync(d)).toEqual([]);
    // 32 bytes of index a row, in memory; the rows' text is in the file.
    expect(spill.indexBytes).toBeLessThanOrEqual(8192 * 32);
    spill.close();
    writeFileSync(join(d, 'taken'), 'someone else');
    expect(() => createSpillFile(d, 'taken')).toThrow(/EEXIST/);
    symlinkSync(join(d, 'elsewhere'), join(d, 'link'));
    expect(() => createSpillFile(d, 'link')).toThrow(/EEXIST|ELOOP/);
    expect(lstatSync(join(d, 'link')).isSymbolicLink()).toBe(true);
    expect(readdirSync(d).sort()).toEqual(['link', 'taken']);
  });
});
