// Issue 12's cases, each as a user would hit it: no input reaches an internal
// error, every usage error is exit 2 with one escaped line, and values from
// side files are typed. Only loopback is probed (fake peers on port 0).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { type CliResult, csvLines, runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, header } from '../helpers/fake-server.js';
import { writeMmdb } from '../helpers/mmdb-writer.js';
import { assertRunNdjson } from '../helpers/schema.js';
import { rawControl } from '../helpers/text.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-hostile-'));

/** What every run must satisfy, whatever its exit code. */
function clean(r: CliResult | { stdout: string; stderr: string }): void {
  expect(r.stderr).not.toMatch(/internal error|unexpected error|\n\s+at /);
  expect(rawControl(r.stdout)).toBeNull();
  expect(rawControl(r.stderr)).toBeNull();
}

async function usage(args: string[], message: RegExp, input?: string): Promise<CliResult> {
  const r = await runCli(args, { input });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  clean(r);
  return r;
}

/** A fake epmd listing these node lines (raw bytes). */
function epmdListing(body: Buffer): Promise<FakeServer> {
  return fakeServer(async (socket, request) => {
    await request;
    socket.end(Buffer.concat([header(4369), body]));
  });
}

/** Runs main() in this process with string streams. */
async function inProcess(
  argv: string[],
  extra: Partial<Parameters<typeof main>[1]> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        add(String(chunk));
        cb();
      },
    });
  const code = await main(argv, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env: {},
    ...extra,
  });
  assertRunNdjson(argv, stdout, code);
  return { code, stdout, stderr };
}

describe('usage errors inside option parsers are exit 2', () => {
  it.each(['5/4', '0/4', '1/0', 'x/y'])('--shard %s', async (shard) => {
    await usage(['--shard', shard, '127.0.0.1'], /invalid --shard '.*': expected i\/n/);
  });
  it.each([
    ['--baseline'],
    ['--allow'],
    ['--city-db'],
    ['--asn-db'],
    ['--asset-map'],
    ['--resume'],
    ['--input-file'],
    ['--exclude-file'],
  ])('%s with an empty value', async (flag) => {
    await usage([`${flag}=`, '127.0.0.1'], /Expected a file name, not an empty value/);
  });
  it.each([
    ',',
    '1',
    'a',
    '\\',
    '"',
    'x;',
    '',
    ';;;;;',
  ])('--node-separator %j is refused', async (sep) => {
    await usage(['--node-separator', sep, '127.0.0.1'], /--node-separator/);
  });
  it('--node-separator | is taken', async () => {
    const r = await runCli(['--node-separator', '|', '--list-targets', '127.0.0.1']);
    expect(r.code).toBe(0);
  });
  it('stdin used twice', async () => {
    await usage(['-iL', '-', '--exclude-file', '-'], /stdin \(-\) can be read once/, '127.0.0.1\n');
    await usage(['-iL', '-', '-iL', '-'], /stdin \(-\) can be read once/, '127.0.0.1\n');
  });
  it('a file name with a NUL byte (from the library, argv cannot hold one)', async () => {
    for (const flag of ['-iL', '--baseline', '--city-db']) {
      const r = await inProcess([flag, 'a\0b', '--list-targets', '127.0.0.1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Expected a file name, without NUL bytes/);
    }
  });
  it('a 100 KB option value is shown cut short', async () => {
    const r = await usage(
      ['--timeout', 'x'.repeat(100_000), '127.0.0.1'],
      /--timeout <ms>.*x…' is invalid/,
    );
    expect(r.stderr.length).toBeLessThan(400);
  });
  it('an unknown option with control bytes is shown escaped', async () => {
    await usage(['--\x1b]0;x\x07', '127.0.0.1'], /unknown option '--\\x1b]0;x\\x07'/);
  });
});

describe('numeric IPv4 forms: one rule, never resolved', () => {
  it.each([
    ['0x7f000001', '127.0.0.1'],
    ['012.0.0.1', '10.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0xa.0.0.1', '10.0.0.1'],
    ['0x7f000001-5', '127.0.0.1'],
  ])('%s is refused, naming %s', async (spec, aton) => {
    await usage(
      [spec],
      new RegExp(`only the dotted quad.*reads this as ${aton.replaceAll('.', '\\.')}`),
    );
  });
  it('also in a target file, with its line', async () => {
    const path = join(dir, 'numeric.txt');
    writeFileSync(path, '127.0.0.1\n0x7f000001\n');
    await usage(['-iL', path, '--list-targets'], /numeric\.txt:2: invalid target '0x7f000001'/);
  });
});

describe('input limits', () => {
  it('-iL /dev/zero is exit 2 at once', async () => {
    await usage(
      ['-iL', '/dev/zero'],
      /\/dev\/zero:1: the target file has a line longer than 65536/,
    );
  });
  it('a file of 600 KB without a newline is exit 2', async () => {
    const path = join(dir, 'one-line.txt');
    writeFileSync(path, Buffer.alloc(600 * 1024, 0x41));
    await usage(['-iL', path], /one-line\.txt:1: .*longer than 65536 bytes/);
  });
  it('a bad spec with control bytes and 60 KB is echoed escaped and cut', async () => {
    const path = join(dir, 'bad-spec.txt');
    writeFileSync(path, `\x1b[2J\x00${'x'.repeat(60_000)}\n`);
    const r = await usage(['-iL', path], /bad-spec\.txt:1: invalid target '\\x1b\[2J\\x00x+…'/);
    expect(r.stderr.length).toBeLessThan(600);
  });
  it('a baseline with a UTF-8 BOM is read', async () => {
    const path = join(dir, 'bom.csv');
    writeFileSync(path, '\ufeff"ip","port","nodes"\n"127.0.0.1",4369,"rabbit,1"\n');
    const r = await runCli(['--baseline', path, '--list-targets', '127.0.0.1']);
    expect(r.code).toBe(0);
    clean(r);
  });
});

describe('hostile names and values end to end', () => {
  let epmd: FakeServer;
  beforeAll(async () => {
    epmd = await epmdListing(
      Buffer.concat([
        Buffer.from("name semi;colon at port 1\nname '=x at port 2\nname \x1b[31mred at port 3\n"),
        Buffer.from(
          'name nul\0byte at port 4\nname \uff1dSUM(A1) at port 5\nname -x,y at port 6\n',
        ),
      ]),
    );
  });
  afterAll(() => epmd.close());

  it('our own report as the baseline shows no change', async () => {
    const first = await runCli(['127.0.0.1', '-p', String(epmd.port), '-n']);
    expect(first.code).toBe(0);
    clean(first);
    const path = join(dir, 'own.csv');
    writeFileSync(path, first.stdout);
    const second = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '-n',
      '--baseline',
      path,
      '--fail-on-exposed',
    ]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('new 0, gone 0, changed 0');
    expect(second.stderr).not.toMatch(/^ {4}[+~-] /m);
    clean(second);
  });
  it('a name with a NUL keeps its EPMD epmd, the name escaped', async () => {
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-n', '-f', 'ndjson']);
    const record = JSON.parse(csvLines(r.stdout)[0] as string);
    expect(record.status).toBe('epmd');
    expect(record.nodes.map((n: { name: string }) => n.name)).toContain('nul\\x00byte');
    clean(r);
  });
  it('a City database with a map for iso_code and a number for city: warning, correct output', async () => {
    const db = join(dir, 'odd-city.mmdb');
    writeMmdb(db, 'GeoLite2-City', {
      map: {
        country: { map: { iso_code: { map: { a: { uint16: 1 } } } } },
        city: { uint32: 12345 },
      },
    });
    const asnDb = join(dir, 'odd-asn.mmdb');
    writeMmdb(asnDb, 'GeoLite2-ASN', { map: { autonomous_system_number: { double: 1.5 } } });
    for (const format of ['csv', 'ndjson', 'table', 'html', 'sarif']) {
      const r = await runCli([
        '127.0.0.1',
        '-p',
        String(epmd.port),
        '-n',
        '-f',
        format,
        '--city-db',
        db,
        '--asn-db',
        asnDb,
      ]);
      expect(r.code).toBe(0);
      // Whole values only: a timestamp's 51.504Z or a duration's 1.5 s is not the ASN 1.5.
      expect(r.stdout).not.toMatch(/object Object|\{"a":1\}|(^|\D)12345(\D|$)/);
      expect(r.stdout).not.toMatch(/(^|[^\d.])1\.5(?!\d|\s?s\b)/);
      expect(r.stderr.match(/warning: --city-db/g)).toHaveLength(1);
      expect(r.stderr.match(/warning: --asn-db/g)).toHaveLength(1);
      clean(r);
    }
  });
  it('a PTR name with an ESC is escaped in NDJSON as in CSV', async () => {
    const r = await inProcess(['127.0.0.1', '-p', String(epmd.port), '-f', 'ndjson', '-q'], {
      reverseLookup: async () => 'evil\x1b[31m.example',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hostname).toBe('evil\\x1b[31m.example');
    expect(r.stdout).not.toContain('\\u001b');
  });
});

describe('the bare-handle seam under Node flags', () => {
  let epmd: FakeServer;
  beforeAll(async () => {
    epmd = await epmdListing(Buffer.from('name rabbit at port 25672\n'));
  });
  afterAll(() => epmd.close());
  const scan = (env: NodeJS.ProcessEnv) =>
    runCli(['127.0.0.1', '-p', String(epmd.port), '-n'], { env });

  it('a normal run uses bare handles and says nothing about sockets', async () => {
    const r = await scan({});
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/net\.connect/);
  });
  it.each([
    ['--throw-deprecation'],
    ['--pending-deprecation'],
    ['--throw-deprecation --pending-deprecation'],
  ])('NODE_OPTIONS=%s: falls back with one note and finds the EPMD', async (flags) => {
    const r = await scan({ NODE_OPTIONS: flags });
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)[1]).toContain('"rabbit,25672"');
    expect(r.stderr.match(/note: connecting with net\.connect/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/DeprecationWarning/);
  });
  it('the permission model: falls back with one note', async () => {
    const flag =
      Number(process.versions.node.split('.')[0]) >= 22
        ? '--permission'
        : '--experimental-permission';
    const r = await scan({ NODE_OPTIONS: `${flag} --allow-fs-read=*` });
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)[1]).toContain('"rabbit,25672"');
    expect(r.stderr.match(/note: connecting with net\.connect/g)).toHaveLength(1);
  });
  it('the permission model without --allow-worker: --workers 2 probes on the main thread', async () => {
    const flag =
      Number(process.versions.node.split('.')[0]) >= 22
        ? '--permission'
        : '--experimental-permission';
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-n', '--workers', '2'], {
      env: { NODE_OPTIONS: `${flag} --allow-fs-read=*` },
    });
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)[1]).toContain('"rabbit,25672"');
    expect(r.stderr).toMatch(
      /note: probing on the main thread: the permission model allows no worker threads/,
    );
  });
  it('EPMD_SCAN_PORTABLE_SOCKETS=1 forces the portable path without a note, even with the flags', async () => {
    const r = await scan({ EPMD_SCAN_PORTABLE_SOCKETS: '1', NODE_OPTIONS: '--throw-deprecation' });
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)[1]).toContain('"rabbit,25672"');
    expect(r.stderr).not.toMatch(/net\.connect/);
  });
});

describe('the unforeseen', () => {
  it('an error nobody foresaw is one escaped line and exit 3', async () => {
    const r = await inProcess(['@local', '--list-targets'], {
      localAddresses: () => {
        throw new TypeError('boom \x1b[2J');
      },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'epmd-scan: unexpected error (please report it): TypeError: boom \\x1b[2J\n',
    );
  });
});
