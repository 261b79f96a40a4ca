// The built CLI as users and CI run it: stdout, stderr and exit codes.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_EPMD_COLUMNS } from '../../src/output/csv.js';
import { csvLines, runCli } from '../helpers/cli.js';
import { type FakeServer, rabbitEpmd } from '../helpers/fake-server.js';
import { freePort } from '../helpers/real-epmd.js';

const HEADER = SCAN_EPMD_COLUMNS.map((c) => `"${c}"`).join(',');

let epmd: FakeServer;
let closedPort: number;
beforeAll(async () => {
  epmd = await rabbitEpmd();
  closedPort = await freePort();
});
afterAll(() => epmd.close());

describe('usage errors exit 2 before anything is scanned', () => {
  it('no targets: says so and shows examples', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no targets given/);
    expect(r.stderr).toMatch(/Examples:/);
  });
  it('a bad address names the spec', async () => {
    const r = await runCli(['300.1.1.1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("invalid target '300.1.1.1'");
  });
  it('one bad spec among good ones stops the whole run: no header, no probe', async () => {
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '10.0.0.0/33']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(epmd.received).toHaveLength(0);
  });
  it.each([
    [['-c', '0', '127.0.0.1'], /--concurrency.*'0' is invalid/],
    [['-p', '70000', '127.0.0.1'], /'70000' is not a TCP port/],
    [['--timeout', 'soon', '127.0.0.1'], /--timeout.*'soon' is invalid/],
    [['-f', 'xml', '127.0.0.1'], /argument 'xml' is invalid.*csv/],
    [['--severity', 'urgent', '127.0.0.1'], /Expected one of: critical, high, medium, low, info/],
    [['--bogus', '127.0.0.1'], /unknown option '--bogus'/],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('scans', () => {
  it('--help shows flags and examples; --version the version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--connect-timeout <ms>/);
    expect(help.stdout).toMatch(/Examples:/);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toBe(pkg.version);
  });
  it('an exposed EPMD gives the header and one row', async () => {
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-n']);
    expect(r.code).toBe(0);
    const rows = csvLines(r.stdout);
    expect(rows[0]).toBe(HEADER);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(
      new RegExp(`"127\\.0\\.0\\.1","tcp",${epmd.port},,"epmd",.*,"rabbit,25672"$`),
    );
  });
  it('a closed range gives the header only and exit 0', async () => {
    const r = await runCli(['127.0.0.1-127.0.0.16', '-p', String(closedPort)]);
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)).toEqual([HEADER]);
  });
  it('several ports: one row per exposed port', async () => {
    const r = await runCli(['127.0.0.1', '-p', `${closedPort},${epmd.port}`]);
    expect(csvLines(r.stdout)).toHaveLength(2);
  });
  it("--severity sets every row's severity", async () => {
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '--severity', 'critical']);
    expect(csvLines(r.stdout)[1]).toMatch(/^"[^"]+","critical",/);
  });
});

describe('-o writes atomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-cli-'));
  it('writes the report and leaves no temporary file', async () => {
    const out = join(dir, 'report.csv');
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(csvLines(readFileSync(out, 'utf8'))).toHaveLength(2);
    expect(readdirSync(dir)).toEqual(['report.csv']);
  });
  it('an unwritable destination exits 2 before scanning (nothing was scanned)', async () => {
    const before = epmd.received.length;
    const r = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '-o',
      join(dir, 'missing', 'x.csv'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write '.*missing\/x\.csv'/);
    expect(epmd.received.length).toBe(before);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
  it('a directory as destination exits 2', async () => {
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a directory/);
  });
});
