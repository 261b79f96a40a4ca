import { describe, expect, it } from 'vitest';
import { ndjsonFormatter, recordJson } from '../../../src/output/ndjson.js';
import { TABLE_LEGEND, tableFormatter } from '../../../src/output/table.js';
import { newRecord } from '../../../src/record.js';
import { assertNdjson } from '../../helpers/schema.js';

const exposed = newRecord({
  ip: '192.0.2.7',
  port: 4369,
  status: 'epmd',
  epmdPort: 4369,
  timestamp: new Date(Date.UTC(2026, 10, 23, 1, 2, 3)),
  nodes: [{ name: '\\x1b[31mevil', port: 25672 }],
  hostname: 'mq\x1b]0;x\x07.example',
});

describe('ndjson', () => {
  it('has every field CLI.md names, in snake_case', () => {
    const j = recordJson(exposed);
    for (const k of [
      'timestamp',
      'ip',
      'port',
      'protocol',
      'status',
      'epmd_port',
      'nodes',
      'truncated',
      'error',
      'hostname',
      'hostname_source',
      'asn',
      'geo',
      'region',
      'city',
      'naics',
      'sector',
      'severity',
      'tag',
    ]) {
      expect(j).toHaveProperty(k);
    }
    expect(j.timestamp).toBe('2026-11-23T01:02:03.000Z');
    expect(j.nodes).toEqual([expect.objectContaining({ name: '\\x1b[31mevil', port: 25672 })]);
    // The wire's escape stays escaped; the DNS name gets the same escaping.
    expect(j.hostname).toBe('mq\\x1b]0;x\\x07.example');
  });
  it('writes exposures only, or every record with --all', () => {
    const refused = newRecord({ ip: '192.0.2.8', port: 4369, status: 'refused' });
    expect(ndjsonFormatter().format(refused)).toBe('');
    const line = ndjsonFormatter({ all: true }).format(refused);
    expect(assertNdjson(line, 'a refused record')).toBe(1);
    expect(assertNdjson(ndjsonFormatter().format(exposed), 'an exposure')).toBe(1);
    expect(JSON.parse(line)).toMatchObject({ ip: '192.0.2.8', status: 'refused' });
    expect(line.endsWith('\n')).toBe(true);
  });
});

describe('table', () => {
  it('streams a row per exposure under a legend and a header; no escape code from the wire or DNS', () => {
    const f = tableFormatter({ colorLevel: 0 });
    const out = [
      f.header(),
      f.format(exposed),
      f.format(newRecord({ ip: '2001:db8::1', port: 14369, status: 'epmd', epmdPort: 14369 })),
      f.format(newRecord({ ip: '192.0.2.9', port: 4369, status: 'timeout' })),
      f.footer(),
    ].join('');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what is tested
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    const all = out.trimEnd().split('\n');
    expect(all[0]).toBe(TABLE_LEGEND);
    // Indented lines are each exposure's risks; the fixes are in the summary, once.
    const lines = all.slice(1).filter((l) => !l.startsWith('  '));
    expect(lines).toHaveLength(3);
    expect(out).not.toContain('fix:');
    expect(lines[0]).toMatch(/^TARGET\s+EPMD\s+HOSTNAME\s+NODES$/);
    expect(lines[1]).toContain('192.0.2.7:4369');
    expect(lines[1]).toContain('mq\\x1b]0;x\\x07.example');
    expect(lines[2]).toContain('[2001:db8::1]:14369');
    expect(lines[2]).toContain('(none)');
    // Every column starts at the header's offset on an IPv4 row, NODES (unbounded) last.
    for (const [head, cell] of [
      ['EPMD', '4369'],
      ['HOSTNAME', 'mq\\x1b'],
      ['NODES', '\\x1b[31mevil'],
    ]) {
      expect({ head, at: lines[1]?.indexOf(cell as string, 21) }).toEqual({
        head,
        at: lines[0]?.indexOf(head as string),
      });
    }
  });
  it('aligns NODES whatever the hostnames and node lists before it; WHERE only when asked', () => {
    const f = tableFormatter({ where: true });
    const rows = [
      f.header(),
      f.format({ ...exposed, hostname: 'a', nodes: [{ name: 'x'.repeat(60), port: 1 }] }),
      f.format({ ...exposed, hostname: 'a-longer-name.example', asn: 64500, geo: 'DE' }),
    ]
      .join('')
      .trimEnd()
      .split('\n')
      .slice(1);
    const at = rows[0]?.indexOf('NODES');
    expect(rows[0]).toMatch(/HOSTNAME\s+WHERE\s+NODES$/);
    expect(rows[1]?.indexOf('xxx')).toBe(at);
    expect(rows[2]?.indexOf('\\x1b[31mevil')).toBe(at);
    expect(rows[2]?.indexOf('AS64500 DE')).toBe(rows[0]?.indexOf('WHERE'));
    expect(tableFormatter().header()).not.toContain('WHERE');
  });
  it('marks what the gate makes of a row: allowed, new or changed since the baseline', () => {
    const line = (allowed: boolean, baseline: 'new' | 'unchanged' | 'updated' | null) =>
      tableFormatter({ verdict: () => ({ allowed, baseline }) })
        .format(exposed)
        .split('\n')[1];
    expect(line(true, 'new')).toBe('  = allowed (--allow)');
    expect(line(false, 'new')).toBe('  + new since --baseline');
    expect(line(false, 'updated')).toBe('  ~ nodes changed since --baseline');
    expect(line(false, 'unchanged')).toBe('');
  });
  it('says what was wrong with a reply on a line of its own, not in the EPMD column', () => {
    const out = tableFormatter().format({ ...exposed, truncated: true });
    expect(out.split('\n')[1]).toBe('  reply truncated (--max-reply)');
  });
  it('colours only when asked', () => {
    const f = tableFormatter({ colorLevel: 1 });
    expect(f.format(exposed)).toContain('\x1b[31m');
    expect(tableFormatter({ colorLevel: 0 }).format(exposed)).not.toContain('\x1b[');
  });
  it('says when nothing was found', () => {
    expect(tableFormatter().footer()).toBe('No exposed EPMD found.\n');
  });
});
