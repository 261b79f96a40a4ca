// Target options through the built CLI: lists, excludes, shards, resume, Ctrl-C.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvLines, interruptWhen, runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, rabbitEpmd } from '../helpers/fake-server.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-targets-'));
const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe('--list-targets', () => {
  it('prints the final list after excludes and sends nothing', async () => {
    const file = join(dir, 'staging.txt');
    writeFileSync(file, '# staging\n192.0.2.0/29\nopen tcp 4369 198.51.100.7 1700000000\n');
    const r = await runCli([
      '-iL',
      file,
      '203.0.113.5',
      '--exclude',
      '192.0.2.0,192.0.2.6-7',
      '--list-targets',
    ]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      '192.0.2.1',
      '192.0.2.2',
      '192.0.2.3',
      '192.0.2.4',
      '192.0.2.5',
      '198.51.100.7',
      '203.0.113.5',
    ]);
  });
  it('reads stdin with -iL - and an exclude file', async () => {
    const ex = join(dir, 'exclude.txt');
    writeFileSync(ex, '192.0.2.2\n');
    const r = await runCli(['-iL', '-', '--exclude-file', ex, '--list-targets'], {
      input: '192.0.2.1\n192.0.2.2\n192.0.2.3\n',
    });
    expect(lines(r.stdout)).toEqual(['192.0.2.1', '192.0.2.3']);
  });
  it('shards of a shuffled list are disjoint and cover it', async () => {
    const all = lines((await runCli(['192.0.2.0/26', '--list-targets'])).stdout);
    const shards = await Promise.all(
      [1, 2, 3].map((i) =>
        runCli(['192.0.2.0/26', '--list-targets', '--shuffle', 's', '--shard', `${i}/3`]),
      ),
    );
    const union = shards.flatMap((r) => lines(r.stdout));
    expect(union).toHaveLength(64);
    expect([...union].sort()).toEqual([...all].sort());
    expect(union).not.toEqual(all);
  });
  it('a bad line in a file names the file and line; exit 2', async () => {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, '192.0.2.1\n192.0.2.1/40\n');
    const r = await runCli(['-iL', file, '--list-targets']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}:2: invalid target '192.0.2.1/40'`);
  });
  it('refuses an IPv6 /64, saying how large it is', async () => {
    const r = await runCli(['2001:db8::/64']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/18446744073709551616 addresses/);
    expect(r.stderr).toMatch(/hint: IPv6 space is scanned from hit lists/);
  });
  it('--shuffle without a seed says which seed it used, and that seed repeats the order', async () => {
    const r = await runCli(['192.0.2.0/28', '--list-targets', '--shuffle']);
    const seed = /shuffle seed (\S+)/.exec(r.stderr)?.[1] as string;
    expect(seed).toBeDefined();
    const again = await runCli(['192.0.2.0/28', '--list-targets', '--shuffle', seed]);
    expect(again.stdout).toBe(r.stdout);
  });
});

describe('Ctrl-C and --resume', () => {
  let epmd: FakeServer;
  let silent: FakeServer;
  beforeAll(async () => {
    epmd = await rabbitEpmd();
    silent = await fakeServer(() => undefined);
  });
  afterAll(async () => {
    await epmd.close();
    await silent.close();
  });

  it('an interrupted scan keeps what it has in the partial and a checkpoint; the resumed one does only the rest', async () => {
    const out = join(dir, 'report.csv');
    const ckpt = join(dir, 'scan.ckpt');
    const args = [
      '127.0.0.1',
      '-p',
      `${epmd.port},${silent.port}`,
      '-c',
      '1',
      '-o',
      out,
      '--resume',
      ckpt,
    ];
    // Position 0 answers; position 1 hangs: interrupt once the silent server has the connection.
    const interrupt = interruptWhen(() => silent.received.length > 0);
    const first = await runCli([...args, '--timeout', '60000'], { onSpawn: interrupt.onSpawn });
    expect(interrupt.sent()).toBe(true);
    expect(first.code).toBe(130);
    // A resumable report appears at -o only when it is whole; until then it is the partial.
    expect(existsSync(out)).toBe(false);
    expect(first.stderr).toMatch(/the report so far is in '.*report\.csv\.partial'/);
    expect(csvLines(readFileSync(`${out}.partial`, 'utf8'))).toHaveLength(2);
    expect(JSON.parse(readFileSync(ckpt, 'utf8'))).toMatchObject({ completed: 1, size: 2 });

    const second = await runCli([...args, '--timeout', '200']);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resuming: 1 of 2 targets done already/);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(epmd.received).toHaveLength(1); // not probed again
    expect(silent.received).toHaveLength(2); // the one in flight, probed again
    const rows = csvLines(readFileSync(out, 'utf8'));
    expect(rows).toHaveLength(2); // the header and the row of the first run, kept
    expect(rows[1]).toContain('"rabbit,25672"');
    expect(JSON.parse(readFileSync(ckpt, 'utf8'))).toMatchObject({
      completed: 2,
      size: 2,
      finished: true,
    });
    // The summary covers the whole run, the first part included.
    expect(second.stderr).toMatch(/done: 2 of 2 targets/);
    expect(second.stderr).toMatch(/exposed EPMDs 1/);
  });
  it('refuses to resume with other arguments', async () => {
    const ckpt = join(dir, 'other.ckpt');
    await runCli(['127.0.0.1', '-p', String(epmd.port), '--resume', ckpt]);
    expect(existsSync(ckpt)).toBe(true);
    const r = await runCli(['127.0.0.2', '-p', String(epmd.port), '--resume', ckpt]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/was written for another target list/);
  });
});
