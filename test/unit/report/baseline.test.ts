import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BASELINE_ROW_BYTES } from '../../../src/files/lines.js';
import { csvFormatter } from '../../../src/output/csv.js';
import { newRecord, type ScanRecord } from '../../../src/record.js';
import { nodeNamesOfField, readBaseline as readEntries } from '../../../src/report/baseline.js';
import { Gate } from '../../../src/report/gate.js';
import { LISTED_NAMES, renderSummary, Stats } from '../../../src/report/summary.js';
import { escapeWireBytes } from '../../../src/text/escape.js';
import { neutraliseFormula, unguardFormula } from '../../../src/text/formula.js';
import { PROPERTY_RUNS } from '../../helpers/runs.js';

/** The entries of a baseline file, its separator found in the file itself. */
const readBaseline = async (path: string, maxRow?: number) =>
  (await readEntries(path, { maxRow })).entries;

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-baseline-'));
const RUNS = PROPERTY_RUNS;
let files = 0;

const exposure = (ip: string, names: string[]): ScanRecord =>
  newRecord({
    ip,
    port: 4369,
    status: 'epmd',
    epmdPort: 4369,
    nodes: names.map((name, i) => ({ name, port: 1000 + (i % 60000) })),
  });

function write(text: string | Buffer): string {
  const path = join(dir, `b${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

function report(records: ScanRecord[], separator = ';'): string {
  const f = csvFormatter({ nodeSeparator: separator });
  return write(f.header() + records.map((r) => f.format(r)).join(''));
}

/** report -> baseline -> compare: what the gate says about the same records. */
async function roundTrip(records: ScanRecord[], separator = ';') {
  const base = await readBaseline(report(records, separator));
  const gate = new Gate(base, []);
  for (const r of records) gate.observe(r);
  return gate.summary;
}

describe('the baseline reader undoes the CSV writer', () => {
  it.each([
    ['semi;colon'],
    ["'=x"],
    ['=x'],
    ["''+x"],
    ["'a"],
    ['\uff1dSUM(A1)'],
    ['-x,y'],
    ['a\\x1b[31m'],
    ['\\x00'],
    ['a|b'],
  ])('%j shows no change', async (name) => {
    for (const sep of [';', '|', ' ', '::']) {
      const s = await roundTrip([exposure('192.0.2.1', [name, 'rabbit'])], sep);
      expect(s).toMatchObject({ fresh: [], gone: [], changed: [] });
    }
  });
  it('neutraliseFormula and unguardFormula are inverses', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("'", '=', '+', '-', '@', 'a', '\uff0b', '\t') }),
        (s) => {
          expect(unguardFormula(neutraliseFormula(s))).toBe(s);
        },
      ),
      { numRuns: RUNS },
    );
  });
  it('property: for any node names (any bytes) and allowed separator, no phantom change', async () => {
    const name = fc.uint8Array({ minLength: 1, maxLength: 24 }).map((b) => escapeWireBytes(b).text);
    const separator = fc.constantFrom(';', '|', ' ', '/', '::', '; ', "'", '=', '-');
    await fc.assert(
      fc.asyncProperty(
        fc.array(name, { minLength: 0, maxLength: 6 }),
        separator,
        async (names, sep) => {
          const s = await roundTrip([exposure('192.0.2.9', names)], sep);
          expect(s).toMatchObject({ fresh: [], gone: [], changed: [] });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('baseline files from elsewhere', () => {
  it('accepts a UTF-8 BOM', async () => {
    const f = csvFormatter();
    const path = write(`\ufeff${f.header()}${f.format(exposure('192.0.2.1', ['rabbit']))}`);
    expect((await readBaseline(path)).get('192.0.2.1:4369')).toEqual(['rabbit']);
  });
  it('keys addresses in canonical form: 0:0:0:0:0:0:0:1 is [::1]', async () => {
    const path = write('ip,port,nodes\n0:0:0:0:0:0:0:1,4369,"rabbit,25672"\n2001:DB8::0:1,4369,\n');
    const b = await readBaseline(path);
    expect([...b.keys()]).toEqual(['[::1]:4369', '[2001:db8::1]:4369']);
    const gate = new Gate(b, []);
    gate.observe(exposure('::1', ['rabbit']));
    expect(gate.summary.fresh).toEqual([]);
  });
  it('escapes raw control bytes in a hand-made file', async () => {
    const path = write('ip,port,nodes\n192.0.2.1,4369,"\x1b]0|pwned\x07,1;ok,2"\n');
    expect((await readBaseline(path)).get('192.0.2.1:4369')).toEqual(['\\x1b]0|pwned\\x07', 'ok']);
  });
  it('does not echo a malformed file in its error', async () => {
    const path = write('ip,port,nodes\n192.0.2.1,4369,x"\x1b[2J\n');
    await expect(readBaseline(path)).rejects.toThrow(
      /b\d+\.csv:2: the baseline: not a CSV file \(invalid/,
    );
  });
  it('refuses a row over the limit without reading it all into memory', async () => {
    const path = write(
      Buffer.concat([Buffer.from('ip,port,nodes\n1.2.3.4,4369,"'), Buffer.alloc(300_000, 0x61)]),
    );
    await expect(readBaseline(path, 100_000)).rejects.toThrow(
      /b\d+\.csv:2: the baseline: a row longer than 100000 characters \(the limit\)/,
    );
    expect((await readBaseline(path, 400_000).catch((e: Error) => e)).toString()).toMatch(
      /quote not closed/,
    );
  });
  it('takes the longest row our own writer makes', () => {
    // A 16 MiB reply (the --max-reply ceiling), every byte escaped as \xNN.
    expect(MAX_BASELINE_ROW_BYTES).toBeGreaterThan(4 * 16 * 1024 * 1024);
  });
  it('names a row that is not an exposure, escaped', async () => {
    const path = write('ip,port\n\x1bx,4369\n');
    await expect(readBaseline(path)).rejects.toThrow(
      /:2: not an exposure row \(ip '\\x1bx', port '4369'\)/,
    );
  });
  it('nodeNamesOfField splits on the last comma of each node', () => {
    expect(nodeNamesOfField("'=a,b,1;c,2")).toEqual(['=a,b', 'c']);
  });
});

describe('the summary of a large change', () => {
  it('lists at most 20 names on a line, counting the rest, each escaped', async () => {
    const names = Array.from({ length: 2000 }, (_, i) => `n${i}`);
    const base = await readBaseline(report([exposure('192.0.2.1', ['old'])]));
    const gate = new Gate(base, []);
    gate.observe(exposure('192.0.2.1', names));
    const text = renderSummary({
      stats: new Stats(),
      total: 1,
      interrupted: false,
      gate: gate.summary,
    });
    const line = text.split('\n').find((l) => l.startsWith('    ~ ')) as string;
    expect(line).toBe(
      `    ~ 192.0.2.1:4369 ${names
        .slice(0, LISTED_NAMES)
        .map((n) => `+${n}`)
        .join(' ')} ... and 1,980 more -old`,
    );
  });
});

describe('the comparison is linear', () => {
  it('compares 200,000 nodes against themselves and one change', async () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `node${i}`);
    const base = await readBaseline(report([exposure('192.0.2.1', names)]));
    const gate = new Gate(base, []);
    gate.observe(exposure('192.0.2.1', [...names.slice(1), 'new']));
    expect(gate.summary.changed).toEqual([
      { key: '192.0.2.1:4369', added: ['new'], removed: ['node0'], allowed: false },
    ]);
  });
});
