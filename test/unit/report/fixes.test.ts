import { describe, expect, it } from 'vitest';
import { tableFormatter } from '../../../src/output/table.js';
import { LISTED_PORTS, remediationFor } from '../../../src/probes/names/fixes.js';
import { assess } from '../../../src/probes/names/risk.js';
import { FIX_LINES, fixNotes, LISTED_FIXES } from '../../../src/report/fixes.js';
import { names } from '../../helpers/records.js';

const exposure = (i: number) =>
  names({
    ip: `192.0.2.${i}`,
    port: 4369,
    status: 'epmd',
    epmdPort: 4369,
    nodes: [{ name: 'couchdb', port: 9100 }],
  });

describe('fixNotes', () => {
  it('groups exposures by fix: each fix once, the first exposures named, the rest counted', () => {
    const first = Array.from({ length: LISTED_FIXES }, (_, i) => exposure(i));
    const lines = fixNotes(first, 250);
    expect(lines[0]).toBe('how to fix (250 exposures):');
    const couch = lines.filter((l) => l.includes('CouchDB: upgrade to 3.2.2'));
    expect(couch).toHaveLength(1);
    expect(couch[0]).toContain('192.0.2.0:4369, 192.0.2.1:4369, 192.0.2.2:4369 and 7 more');
    expect(lines.filter((l) => l.includes('firewall the EPMD port'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('  also: '))).toHaveLength(1);
    expect(lines.length).toBeLessThanOrEqual(FIX_LINES + 3);
  });
  it('stays a few lines long with any number of different fixes', () => {
    const mixed = Array.from({ length: LISTED_FIXES }, (_, i) =>
      names({
        ip: `192.0.2.${i}`,
        port: 4369,
        status: 'epmd',
        nodes: [
          { name: ['couchdb', 'rabbit', 'ejabberd', 'x'][i % 4] as string, port: 9100 },
          {
            name: `n${i}`,
            port: 9000 + i,
            cookie: i === 3 ? { outcome: 'accepted', cookie: 'monster' } : undefined,
          },
        ],
      }),
    );
    const lines = fixNotes(mixed, 5000);
    expect(lines.length).toBeLessThanOrEqual(FIX_LINES + 3);
    expect(lines.join('\n').length).toBeLessThan(2000);
  });
  it('the table shows a risk naming an escaped node escaped once, not twice', () => {
    const r = names({
      ip: '192.0.2.1',
      port: 4369,
      status: 'epmd',
      nodes: [{ name: 'couchdb\\x1b[2J', port: 9100, distReachable: true }],
    });
    assess(r);
    const table = tableFormatter();
    const text = table.header() + table.format(r) + table.footer();
    expect(text).toContain('! distribution port reachable: couchdb\\x1b[2J:9100');
  });
  it('names at most 12 distribution ports in a report row and counts the rest', () => {
    const many = names({
      ip: '192.0.2.1',
      port: 4369,
      status: 'epmd',
      nodes: Array.from({ length: 2000 }, (_, i) => ({ name: `n${i}`, port: 10_000 + i })),
    });
    expect(remediationFor(many).first).toContain(
      `distribution ports ${Array.from({ length: LISTED_PORTS }, (_, i) => 10_000 + i).join(', ')} and 1988 more to trusted`,
    );
  });
  it('says nothing when nothing is exposed', () => {
    expect(fixNotes([], 0)).toEqual([]);
  });
});
