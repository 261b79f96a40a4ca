import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvFormatter } from '../../../src/output/csv.js';
import { newRecord } from '../../../src/record.js';
import { Gate, readAllowList, readBaseline } from '../../../src/report/gate.js';
import { renderSummary, Stats } from '../../../src/report/summary.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-gate-'));
const epmd = (ip: string, port: number, ...names: string[]) =>
  newRecord({
    ip,
    port,
    status: 'epmd',
    epmdPort: port,
    nodes: names.map((name, i) => ({ name, port: 1000 + i })),
  });

function report(name: string, ...records: ReturnType<typeof epmd>[]): string {
  const f = csvFormatter();
  const path = join(dir, name);
  writeFileSync(path, f.header() + records.map((r) => f.format(r)).join(''));
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
    const stats = new Stats();
    const records = [
      newRecord({ ip: '192.0.2.1', port: 4369, status: 'refused' }),
      epmd('192.0.2.2', 4369, 'b', 'd'),
      epmd('192.0.2.3', 4369, 'new'),
    ];
    for (const r of records) {
      gate.observe(r);
      stats.add(r);
    }
    expect(gate.summary.fresh).toEqual([{ key: '192.0.2.3:4369', nodes: ['new'] }]);
    expect(gate.summary.gone).toEqual([{ key: '192.0.2.1:4369', nodes: ['a'] }]);
    expect(gate.summary.changed).toEqual([{ key: '192.0.2.2:4369', added: ['d'], removed: ['c'] }]);
    const text = renderSummary({ stats, total: 3, interrupted: false, gate: gate.summary });
    expect(text).toMatch(/^done: 3 of 3 targets/);
    expect(text).toContain('epmd 2, refused 1');
    expect(text).toContain('exposed EPMDs 2, listing 3 nodes');
    expect(text).toContain('+ 192.0.2.3:4369 new');
    expect(text).toContain('- 192.0.2.1:4369 a');
    expect(text).toContain('~ 192.0.2.2:4369 +d -c');
    expect(renderSummary({ stats, total: 9, interrupted: true })).toMatch(/^interrupted: 3 of 9/);
  });
});
