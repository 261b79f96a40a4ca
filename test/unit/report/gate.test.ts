import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvFormatter } from '../../../src/output/csv.js';
import { nodesOf } from '../../../src/probes/names/index.js';
import { readBaseline as readEntries } from '../../../src/report/baseline.js';
import { DEFAULT_FAIL_ON, trips } from '../../../src/report/fail-on.js';
import { Gate, readAllowList } from '../../../src/report/gate.js';
import { renderSummary, Stats } from '../../../src/report/summary.js';
import { names } from '../../helpers/records.js';

const readBaseline = async (path: string) => (await readEntries(path)).entries;

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-gate-'));
const epmd = (ip: string, port: number, ...nodeNames: string[]) =>
  names({
    ip,
    port,
    status: 'epmd',
    epmdPort: port,
    nodes: nodeNames.map((name, i) => ({ name, port: 1000 + i })),
  });

function report(name: string, ...records: ReturnType<typeof epmd>[]): string {
  const f = csvFormatter();
  const path = join(dir, name);
  writeFileSync(path, f.header() + records.map((r) => f.format(r)).join(''));
  return path;
}

function allowFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${text}\n`);
  return path;
}

describe('baseline', () => {
  it('reads back our own CSV, including guarded and IPv6 rows', async () => {
    const path = report(
      'b1.csv',
      epmd('192.0.2.1', 4369, 'rabbit', 'couchdb'),
      epmd('2001:db8::1', 4369, '=evil'),
    );
    const b = await readBaseline(path);
    expect(b.get('192.0.2.1:4369')).toEqual(['rabbit', 'couchdb']);
    expect(b.get('[2001:db8::1]:4369')).toEqual(['=evil']);
  });
  it('refuses a file that is not a report', async () => {
    const path = join(dir, 'nope.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    await expect(readBaseline(path)).rejects.toThrow(/has no ip and port columns/);
    await expect(readBaseline(join(dir, 'missing.csv'))).rejects.toThrow(
      /cannot read the baseline/,
    );
  });
});

describe('allow-list', () => {
  it('takes ip, ip:port, [v6]:port and CIDRs, with comments', async () => {
    const path = join(dir, 'allow.txt');
    writeFileSync(
      path,
      '# accepted\n192.0.2.1\n192.0.2.2:14369  # dev box\n198.51.100.0/24\n[2001:db8::1]:4369\n',
    );
    const allow = await readAllowList(path);
    const gate = new Gate(null, allow);
    for (const r of [
      epmd('192.0.2.1', 4369),
      epmd('192.0.2.2', 14369),
      epmd('192.0.2.2', 4369),
      epmd('198.51.100.77', 4369),
      epmd('2001:db8::1', 4369),
      epmd('2001:db8::1', 4370),
    ])
      gate.observe(r);
    expect(gate.summary.fresh.map((e) => e.key)).toEqual(['192.0.2.2:4369', '[2001:db8::1]:4370']);
    expect(gate.summary.allowed).toBe(4);
  });
  it('names the line of a bad entry', async () => {
    const path = join(dir, 'bad-allow.txt');
    writeFileSync(path, '192.0.2.1\n192.0.2.1:99999\n');
    await expect(readAllowList(path)).rejects.toThrow(`${path}:2`);
  });
});

describe('gate and summary', () => {
  it('sorts exposures into new, gone and changed against the baseline', async () => {
    const base = await readBaseline(
      report('b2.csv', epmd('192.0.2.1', 4369, 'a'), epmd('192.0.2.2', 4369, 'b', 'c')),
    );
    const gate = new Gate(base, []);
    // With a baseline a refusal can be an exposure gone: every record must reach the gate.
    expect(gate.everyRecord).toBe(true);
    expect(new Gate(null, []).everyRecord).toBe(false);
    const stats = new Stats();
    const records = [
      names({ ip: '192.0.2.1', port: 4369, status: 'refused' }),
      epmd('192.0.2.2', 4369, 'b', 'd'),
      epmd('192.0.2.3', 4369, 'new'),
    ];
    for (const r of records) {
      gate.observe(r);
      stats.add(r);
    }
    expect(gate.summary.fresh).toEqual([{ key: '192.0.2.3:4369', nodes: ['new'] }]);
    expect(gate.summary.gone).toEqual([{ key: '192.0.2.1:4369', nodes: ['a'] }]);
    expect(gate.summary.changed).toEqual([
      { key: '192.0.2.2:4369', added: ['d'], removed: ['c'], allowed: false },
    ]);
    expect(gate.summary.baselineEntries).toBe(2);
    const text = renderSummary({ stats, total: 3, interrupted: false, gate: gate.summary });
    expect(text).toMatch(/^done: 3 of 3 targets/);
    expect(text).toContain('epmd 2, refused 1');
    expect(text).toContain('exposed EPMDs 2, listing 3 nodes');
    expect(text).toContain('+ 192.0.2.3:4369 new');
    expect(text).toContain('- 192.0.2.1:4369 a');
    expect(text).toContain('~ 192.0.2.2:4369 +d -c');
    expect(text).toContain('baseline: 2 exposures read; new 1, gone 1, changed 1, allowed 0');
    expect(renderSummary({ stats, total: 9, interrupted: true })).toMatch(/^interrupted: 3 of 9/);
    // A new node on a known exposure trips the default gate, as a new exposure does.
    expect(trips(gate.summary, DEFAULT_FAIL_ON)).toEqual([
      ['new-exposure', 1],
      ['new-node', 1],
    ]);
    const tripped = renderSummary({
      stats,
      total: 3,
      interrupted: false,
      gate: gate.summary,
      failOn: DEFAULT_FAIL_ON,
    });
    expect(tripped).toContain(
      'gate tripped (exit 1): new exposure 1, new node on a known exposure 1',
    );
  });
  it('a new node on a known exposure trips --fail-on new-node, even with no new exposure', async () => {
    const base = await readBaseline(report('b3.csv', epmd('192.0.2.2', 4369, 'rabbit')));
    const gate = new Gate(base, []);
    gate.observe(epmd('192.0.2.2', 4369, 'rabbit', 'couchdb'));
    expect(trips(gate.summary, ['new-exposure'])).toEqual([]);
    expect(trips(gate.summary, ['new-node'])).toEqual([['new-node', 1]]);
    // Allowed exposures may change freely.
    const allowing = new Gate(base, await readAllowList(allowFile('a3.txt', '192.0.2.2')));
    allowing.observe(epmd('192.0.2.2', 4369, 'rabbit', 'couchdb'));
    expect(trips(allowing.summary, ['new-node'])).toEqual([]);
  });
  it('reachable nodes and accepted cookies trip their own kinds; --allow never excuses a cookie', async () => {
    const r = epmd('192.0.2.9', 4369, 'couchdb');
    const node = nodesOf(r)[0] as (typeof r.detail & object)['nodes'][number];
    node.distReachable = true;
    node.cookie = { outcome: 'accepted', cookie: 'monster' };
    const gate = new Gate(null, await readAllowList(allowFile('a4.txt', '192.0.2.9')));
    gate.observe(r);
    expect(trips(gate.summary, ['new-exposure', 'reachable-node'])).toEqual([]);
    expect(trips(gate.summary, ['accepted-cookie'])).toEqual([['accepted-cookie', 1]]);
    const open = new Gate(null, []);
    open.observe(r);
    expect(trips(open.summary, ['reachable-node'])).toEqual([['reachable-node', 1]]);
  });
  it('the summary stays under 16 lines however many exposures and changes', () => {
    const gate = new Gate(new Map(), []);
    const stats = new Stats();
    for (let i = 0; i < 3000; i++) {
      const r = epmd(`10.0.${i >> 8}.${i & 255}`, 4369, 'rabbit');
      gate.observe(r);
      stats.add(r);
    }
    const text = renderSummary({
      stats,
      total: 3000,
      interrupted: false,
      gate: gate.summary,
      failOn: DEFAULT_FAIL_ON,
      notes: ['how to fix (3000 exposures):', '  firewall ...', '  also: ...'],
    });
    expect(text.trimEnd().split('\n').length).toBeLessThan(16);
    expect(text).toContain('... and 2,995 more in the report');
  });
});
