import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  csvFormatter,
  csvRow,
  formatNodes,
  SCAN_EPMD_COLUMNS,
  shadowserverTimestamp,
} from '../../../src/output/csv.js';
import { newRecord } from '../../../src/record.js';
import { neutraliseFormula } from '../../../src/text/formula.js';

const when = new Date(Date.UTC(2026, 1, 6, 15, 21, 24, 789));

describe('scan_epmd CSV', () => {
  it("has Shadowserver's 15 columns in their order, quoted", () => {
    expect(csvFormatter().header()).toBe(
      '"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","nodes"\n',
    );
    expect(SCAN_EPMD_COLUMNS).toHaveLength(15);
  });
  it('writes strings quoted, numbers bare, empty fields empty', () => {
    const r = newRecord({
      ip: '192.0.2.7',
      port: 4369,
      status: 'epmd',
      timestamp: when,
      epmdPort: 4369,
      nodes: [{ name: 'rabbit', port: 25672 }],
      hostname: 'mq.example',
      hostnameSource: 'ptr',
      asn: 64496,
      geo: 'GB',
    });
    expect(csvRow(r)).toBe(
      '"2026-02-06 15:21:24","high","192.0.2.7","tcp",4369,"mq.example","epmd",64496,"GB",,,,"ptr",,"rabbit,25672"\n',
    );
  });
  it('joins nodes with the separator and escapes the separator inside names', () => {
    const r = newRecord({
      ip: '192.0.2.7',
      port: 4369,
      status: 'epmd',
      nodes: [
        { name: 'a;b', port: 1 },
        { name: 'c', port: 2 },
      ],
    });
    const nodes = (sep?: string) =>
      (parse(csvRow(r, { nodeSeparator: sep })) as string[][])[0]?.[14];
    expect(nodes()).toBe('a\\x3bb,1;c,2');
    expect(nodes('|')).toBe('a;b,1|c,2');
  });
  it('neutralises formulas in any text field, including nodes', () => {
    expect(neutraliseFormula('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    for (const f of ['+1', '-1', '@SUM(A1)', '\tx', '\rx', '＝1'])
      expect(neutraliseFormula(f)).toBe(`'${f}`);
    expect(neutraliseFormula('rabbit')).toBe('rabbit');
    const r = newRecord({
      ip: '192.0.2.7',
      port: 4369,
      status: 'epmd',
      nodes: [{ name: "=cmd|' /C calc'!A0", port: 1 }],
      hostname: '@evil',
    });
    const row = (parse(csvRow(r)) as string[][])[0] ?? [];
    expect(row[14]).toBe("'=cmd|' /C calc'!A0,1");
    expect(row[5]).toBe("'@evil");
  });
  it('escapes control characters from DNS or the wire and a comma in a name, and quotes quotes', () => {
    const r = newRecord({
      ip: '192.0.2.7',
      port: 4369,
      status: 'epmd',
      nodes: [{ name: 'a,"b"', port: 1 }],
      hostname: 'x\x1b[2Jy',
    });
    const line = csvRow(r);
    expect(line).toContain('"x\\x1b[2Jy"');
    expect((parse(line) as string[][])[0]?.[14]).toBe('a\\x2c"b",1');
  });
  it('escapes what a separator could be made of at the start of a name after one', () => {
    const r = newRecord({
      ip: '192.0.2.7',
      port: 4369,
      status: 'epmd',
      nodes: [
        { name: '|a', port: 1 },
        { name: ' b', port: 2 },
        { name: 'c|', port: 3 },
      ],
    });
    // Else `;|` or `; ` would read as the separator when the file is a baseline.
    expect(formatNodes(r, ';')).toBe('|a,1;\\x20b,2;c|,3');
    expect(formatNodes(r, '|')).toBe('\\x7ca,1|\\x20b,2|c\\x7c,3');
  });
  it('writes rows only for exposed EPMDs', () => {
    const f = csvFormatter();
    expect(f.format(newRecord({ ip: '192.0.2.1', port: 4369, status: 'refused' }))).toBe('');
    expect(f.format(newRecord({ ip: '192.0.2.1', port: 4369, status: 'not-epmd' }))).toBe('');
    expect(f.format(newRecord({ ip: '192.0.2.1', port: 4369, status: 'epmd' }))).not.toBe('');
  });
  it('formats timestamps as UTC YYYY-MM-DD HH:MM:SS', () => {
    expect(shadowserverTimestamp(when)).toBe('2026-02-06 15:21:24');
  });
});
