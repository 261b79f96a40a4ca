// Issue #15, points 1, 3 and 9: ports as lists and ranges, repeated flags,
// several reports from one run (each resumable exactly once), -oA and the
// names IntelMQ's Shadowserver parser recognises.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intelmqName, outputAllPaths } from '../../src/app/run-options.js';
import { csvLines, runCli, startCli } from '../helpers/cli.js';
import { type FakeServer, startPeers, stopPeers } from '../helpers/fake-server.js';
import { waitFor } from '../helpers/real-epmd.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-outputs-'));
let epmd: FakeServer;
let silent: FakeServer;
let closed: number;
beforeAll(async () => {
  ({ epmd, silent, closed } = await startPeers());
});
afterAll(() => stopPeers({ epmd, silent }));
let n = 0;
const fresh = (): string => {
  const d = join(dir, `${n++}`);
  mkdirSync(d);
  return d;
};

describe('-p and repeated flags', () => {
  it('-p takes lists and ranges, and repeats add up', async () => {
    const r = await runCli(['127.0.0.1', '-p', '4369', '-p', '14369,4360-4362', '--list-targets']);
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)).toEqual([
      '127.0.0.1:4369',
      '127.0.0.1:14369',
      '127.0.0.1:4360',
      '127.0.0.1:4361',
      '127.0.0.1:4362',
    ]);
  });
  it('a bad range is refused, naming it', async () => {
    const r = await runCli(['127.0.0.1', '-p', '4370-4360']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'4370-4360' is not a TCP port or range/);
  });
  it('a single-valued flag given twice is an error naming both values', async () => {
    for (const [flag, a, b] of [
      ['--shard', '1/4', '2/4'],
      ['-o', 'a.csv', 'b.csv'],
      ['--csv', 'a.csv', 'b.csv'],
      ['-f', 'csv', 'ndjson'],
      ['--timeout', '100', '200'],
    ] as const) {
      const r = await runCli(['127.0.0.1', flag, a, flag, b]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toContain(`Given twice ('${a}' and '${b}'): ${flag} takes one value`);
    }
  });
});

describe('several reports from one run', () => {
  it('--csv, --ndjson, --table and --html next to -f on stdout', async () => {
    const d = fresh();
    const r = await runCli([
      '127.0.0.1',
      '-p',
      `${epmd.port},${closed}`,
      '-n',
      '--csv',
      join(d, 'r.csv'),
      '--ndjson',
      join(d, 'r.ndjson'),
      '--table',
      join(d, 'r.txt'),
      '--html',
      join(d, 'r.html'),
      '-f',
      'ndjson',
      '--all',
    ]);
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)).toHaveLength(2); // -f ndjson --all on stdout: both targets
    expect(csvLines(readFileSync(join(d, 'r.csv'), 'utf8'))).toHaveLength(2);
    expect(csvLines(readFileSync(join(d, 'r.ndjson'), 'utf8'))).toHaveLength(2);
    expect(readFileSync(join(d, 'r.txt'), 'utf8').split('\n')[1]).toMatch(
      /^TARGET\s+EPMD\s+HOSTNAME\s+NODES/,
    );
    expect(readFileSync(join(d, 'r.html'), 'utf8')).toContain(`127.0.0.1:${epmd.port}`);
    expect(readdirSync(d).sort()).toEqual(['r.csv', 'r.html', 'r.ndjson', 'r.txt']);
  });
  it('-oA <prefix> writes the CSV, NDJSON, HTML and SARIF reports; nothing on stdout', async () => {
    const d = fresh();
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-n', '-oA', join(d, 'nightly')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(d).sort()).toEqual([
      'nightly.csv',
      'nightly.html',
      'nightly.ndjson',
      'nightly.sarif',
    ]);
  });
  it('-oA <folder>/ names the reports as IntelMQ expects, making the folder', async () => {
    const d = join(fresh(), 'reports/');
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-n', '-oA', d]);
    expect(r.code).toBe(0);
    const names = readdirSync(d).sort();
    const day = new Date().toISOString().slice(0, 10);
    expect(names).toEqual([
      `${day}-scan_epmd-epmd-scan.csv`,
      `${day}-scan_epmd-epmd-scan.html`,
      `${day}-scan_epmd-epmd-scan.ndjson`,
      `${day}-scan_epmd-epmd-scan.sarif`,
    ]);
    // IntelMQ's Shadowserver parser takes the feed from the file name with this
    // pattern (intelmq/bots/parsers/shadowserver/parser.py); it must say scan_epmd.
    const feed = /^(?:\d{4}-\d{2}-\d{2}-)?(\w+)(-\w+)*\.csv$/.exec(names[0] as string)?.[1];
    expect(feed).toBe('scan_epmd');
    expect(/^(?:\d{4}-\d{2}-\d{2}-)?(\w+)(-\w+)*\.csv$/.exec('epmd-2026-11-23.csv')?.[1]).toBe(
      'epmd',
    );
  });
  it('names: a date, scan_epmd and a label', () => {
    expect(intelmqName(new Date('2026-11-23T02:30:00Z'), 'staging')).toBe(
      '2026-11-23-scan_epmd-staging',
    );
    expect(outputAllPaths('/r/x', new Date('2026-11-23T00:00:00Z')).csv).toBe('/r/x.csv');
  });
  it('two reports to one file are refused', async () => {
    const d = fresh();
    const r = await runCli(['127.0.0.1', '--csv', join(d, 'a'), '--ndjson', join(d, 'a')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/two reports would be written to/);
  });
  it('--all without an NDJSON report is refused', async () => {
    const r = await runCli(['127.0.0.1', '--all', '--csv', join(fresh(), 'a.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--all goes with an NDJSON report/);
  });
  it('kill -9 and --resume: every report holds each of its records exactly once', async () => {
    const d = fresh();
    const ckpt = join(d, 'scan.ckpt');
    const args = [
      '127.0.0.1-127.0.0.60',
      '-p',
      `${epmd.port},${silent.port},${closed}`,
      '-n',
      '-c',
      '8',
      '--all',
      '-oA',
      join(d, 'all'),
      '--table',
      join(d, 'all.txt'),
      '--resume',
      ckpt,
    ];
    const first = startCli([...args, '--timeout', '20000']);
    await waitFor('a checkpoint with progress', async () => {
      if (!existsSync(ckpt)) return false;
      return JSON.parse(readFileSync(ckpt, 'utf8')).stats.done > 0;
    });
    first.child.kill('SIGKILL');
    await first.result;
    expect(existsSync(join(d, 'all.ndjson'))).toBe(false);
    const second = await runCli([...args, '--timeout', '300']);
    expect(second.code).toBe(0);
    const ndjson = csvLines(readFileSync(join(d, 'all.ndjson'), 'utf8')).map((l) => JSON.parse(l));
    expect(ndjson).toHaveLength(180);
    expect(new Set(ndjson.map((r: { ip: string; port: number }) => `${r.ip}:${r.port}`)).size).toBe(
      180,
    );
    expect(csvLines(readFileSync(join(d, 'all.csv'), 'utf8'))).toHaveLength(2); // header + 1 exposure
    const html = readFileSync(join(d, 'all.html'), 'utf8');
    expect(html.match(/<tr><td><code>/g)).toHaveLength(1);
    expect(readFileSync(join(d, 'all.txt'), 'utf8').match(/rabbit:25672/g)).toHaveLength(1);
    expect(readdirSync(d).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
