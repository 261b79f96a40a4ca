import { describe, expect, it } from 'vitest';
import { tableFormatter } from '../../../src/output/table.js';
import { newRecord } from '../../../src/record.js';
import { fixNotes, LISTED_FIXES } from '../../../src/report/fixes.js';
import { applyRisk, LISTED_PORTS } from '../../../src/report/risk.js';

const exposure = (i: number) =>
  newRecord({
    ip: `192.0.2.${i}`,
    port: 4369,
    status: 'epmd',
    epmdPort: 4369,
    nodes: [{ name: 'couchdb', port: 9100 }],
  });

describe('fixNotes', () => {
  it('lists the first exposures with their fix and counts the rest', () => {
    const first = Array.from({ length: LISTED_FIXES }, (_, i) => exposure(i));
    const lines = fixNotes(first, 250);
    expect(lines[0]).toBe('how to fix:');
    expect(
      lines.filter((l) =>
        /^ {2}192\.0\.2\.\d+:4369: firewall tcp\/4369 and the distribution port 9100/.test(l),
      ),
    ).toHaveLength(LISTED_FIXES);
    expect(lines).toContain(`  ... and ${250 - LISTED_FIXES} more exposures`);
    expect(lines.some((l) => l.includes('CouchDB: upgrade to 3.2.2'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('  also: '))).toHaveLength(3);
  });
  it('names at most 12 distribution ports on a fix line and counts the rest', () => {
    const many = newRecord({
      ip: '192.0.2.1',
      port: 4369,
      status: 'epmd',
      nodes: Array.from({ length: 2000 }, (_, i) => ({ name: `n${i}`, port: 10_000 + i })),
    });
    const line = fixNotes([many])[1] as string;
    expect(line).toContain(
      `distribution ports ${Array.from({ length: LISTED_PORTS }, (_, i) => 10_000 + i).join(', ')} and 1988 more to trusted`,
    );
    expect(line.length).toBeLessThan(200);
  });
  it('shows a risk naming an escaped node as the CSV does: escaped once, not twice', () => {
    const r = newRecord({
      ip: '192.0.2.1',
      port: 4369,
      status: 'epmd',
      nodes: [{ name: 'couchdb\\x1b[2J', port: 9100, distReachable: true }],
    });
    applyRisk(r);
    r.risks?.push('raw \x1b]0;x\x07 from elsewhere');
    const lines = fixNotes([r]);
    expect(lines).toContain('    ! distribution port reachable: couchdb\\x1b[2J:9100');
    expect(lines).toContain('    ! raw \\x1b]0;x\\x07 from elsewhere');
    const table = tableFormatter();
    table.format(r);
    expect(table.footer()).toContain('! distribution port reachable: couchdb\\x1b[2J:9100');
  });
  it('says nothing when nothing is exposed', () => {
    expect(fixNotes([], 0)).toEqual([]);
  });
});
