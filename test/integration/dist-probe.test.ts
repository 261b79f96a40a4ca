// --probe dist against real products: a RabbitMQ 3.10 broker (its
// distribution port and its AMQP port), a real TLS distribution node, a real
// hidden OTP 25 node, an HTTP server, and OTP 27.3 nodes replayed from bytes
// captured on Debian 13 (Debian 12 has no OTP 27; see test/fixtures/README.md).
// Every peer listens on a free loopback port; the scanner runs as users run it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCANNER_FLAGS } from '../../src/epmd/handshake.js';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer } from '../helpers/fake-server.js';
import { type Rabbit, rabbitOrSkip, startRabbit } from '../helpers/rabbitmq.js';
import { type RealEpmd, realPeersOrSkip, startEpmd } from '../helpers/real-epmd.js';
import { sarifErrors } from '../helpers/sarif.js';
import { startTlsNode, tlsOrSkip } from '../helpers/tls-node.js';

const real = realPeersOrSkip();
const rabbitmq = real && rabbitOrSkip();

const tls = tlsOrSkip(real);

const fixture = (name: string) =>
  Buffer.from(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8').trim(), 'hex');

type Json = Record<string, unknown>;
const lines = (stdout: string): Json[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);

/** --probe dist on 127.0.0.1, every record as NDJSON. */
async function probeDist(ports: number[], extra: string[] = []): Promise<Json[]> {
  const r = await runCli(
    [
      '--probe',
      'dist',
      '127.0.0.1',
      '-p',
      ports.join(','),
      '-f',
      'ndjson',
      '--all',
      '-n',
      '-q',
      ...extra,
    ],
    { timeoutMs: 60_000 },
  );
  expect(r.stderr.replace(/^warning: --check-cookies.*\n/m, '')).toBe('');
  return lines(r.stdout);
}

const byPort = (records: Json[], port: number) => records.find((r) => r.port === port);

describe.runIf(rabbitmq)('--probe dist on a real RabbitMQ 3.10 broker', () => {
  let rabbit: Rabbit;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'epmd-scan-dist-probe-'));
    // A lazy cookie: the node's own name (a built-in candidate of --check-cookies).
    rabbit = await startRabbit({ cookie: 'rabbit' });
  }, 300_000);
  afterAll(async () => {
    await rabbit?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('its distribution port speaks Erlang distribution (rabbit@localhost); its AMQP port does not', async () => {
    const records = await probeDist([rabbit.distPort, rabbit.amqpPort]);
    expect(records).toHaveLength(2);
    expect(byPort(records, rabbit.distPort)).toMatchObject({
      probe: 'dist',
      status: 'erlang-distribution',
      exposed: true,
      dist_status: 'ok',
      full_name: 'rabbit@localhost',
      version: 6,
      hidden: false,
      cookie: null,
      severity: 'critical',
      tag: 'erlang-dist',
      error: null,
    });
    expect(byPort(records, rabbit.distPort)?.flags).toMatch(/^0x[0-9a-f]+$/);
    expect(byPort(records, rabbit.amqpPort)).toMatchObject({
      probe: 'dist',
      status: 'not-erlang-distribution',
      exposed: false,
      dist_status: null,
      full_name: null,
      error: 'bad-frame',
      severity: null,
      tag: null,
    });
  });

  it('the CSV: the scan_epmd columns, then its own; nodes is the full name and the port', async () => {
    const r = await runCli([
      '--probe',
      'dist',
      '127.0.0.1',
      '-p',
      `${rabbit.distPort},${rabbit.amqpPort}`,
      '-n',
      '-q',
    ]);
    expect(r.code).toBe(0);
    const [head, row, ...rest] = r.stdout.trim().split('\n');
    expect(head).toBe(
      '"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","nodes","dist_status","version","flags","cookie"',
    );
    expect(rest).toEqual([]);
    expect(row).toMatch(
      new RegExp(
        `^"[^"]+","critical","127\\.0\\.0\\.1","tcp",${rabbit.distPort},,"erlang-dist",,,,,,,,"rabbit@localhost,${rabbit.distPort}","ok",6,"0x[0-9a-f]+",$`,
      ),
    );
  });

  it('--check-cookies: the broker took its own name as the cookie; remote code execution', async () => {
    const [rec] = await probeDist([rabbit.distPort], ['--check-cookies']);
    expect(rec).toMatchObject({
      dist_status: 'ok',
      cookie: 'accepted: rabbit',
      severity: 'critical',
    });
    expect((rec?.risks as string[])[0]).toBe(
      `default cookie 'rabbit' accepted: remote code execution on rabbit@localhost:${rabbit.distPort}`,
    );
    expect(rec?.follow_ups_cut).toEqual([]);
  });

  it('the gate: reachable-node and accepted-cookie trip; --allow excuses the exposure', async () => {
    const args = ['--probe', 'dist', '127.0.0.1', '-p', String(rabbit.distPort), '-n', '-q'];
    const reach = await runCli([...args, '--fail-on', 'reachable-node']);
    expect(reach.code).toBe(1);
    expect(reach.stderr).toContain(
      `1 exposure(s) with a reachable node: 127.0.0.1:${rabbit.distPort}`,
    );
    const allowFile = join(dir, 'allow.txt');
    execFileSync('sh', ['-c', `printf '127.0.0.1:${rabbit.distPort}\\n' > '${allowFile}'`]);
    const allowed = await runCli([...args, '--fail-on-exposed', '--allow', allowFile]);
    expect(allowed.code).toBe(0);
    const cookie = await runCli([
      ...args,
      '--check-cookies',
      '--fail-on',
      'accepted-cookie',
      '--allow',
      allowFile,
    ]);
    // A default cookie is never excused by --allow.
    expect(cookie.code).toBe(1);
  });

  it('the table and the HTML report show the node, its answer and the risk', async () => {
    const html = join(dir, 'report.html');
    const r = await runCli([
      '--probe',
      'dist',
      '127.0.0.1',
      '-p',
      String(rabbit.distPort),
      '-f',
      'table',
      '--html',
      html,
      '-n',
      '-q',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`127.0.0.1:${rabbit.distPort}`);
    expect(r.stdout).toMatch(/ok\s+rabbit@localhost/);
    expect(r.stdout).toContain(
      '! Erlang distribution port open: rabbit@localhost takes connections',
    );
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('rabbit@localhost');
    expect(page).toContain('Erlang distribution port open');
  });
});

/** A fake node on port 0 that answers each whole send_name with the bytes of a real node. */
function replayNode(file: string): Promise<FakeServer> {
  const reply = fixture(file);
  return fakeServer((socket: net.Socket) => {
    let got = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (!answered && got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        answered = true;
        socket.write(reply);
      }
    });
  });
}

/** The name a send_name announced, after checking that it is a version-6 `N` with our flags. */
function announced(sent: Buffer): string {
  expect(sent.readUInt16BE(0)).toBe(sent.length - 2);
  expect(sent[2]).toBe(0x4e);
  expect(sent.readBigUInt64BE(3)).toBe(SCANNER_FLAGS);
  return sent.subarray(17).toString();
}

describe('--probe dist on OTP 27.3 nodes (their bytes, replayed: Debian 12 has no OTP 27)', () => {
  const peers: FakeServer[] = [];
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.close()));
  });

  it('otp27a@vm: ok, version 6, its flags; each connection announces a name of its own', async () => {
    const node = await replayNode('otp27-hs-v6-otp27a.hex');
    peers.push(node);
    const [first] = await probeDist([node.port]);
    const [second] = await probeDist([node.port]);
    expect(first).toMatchObject({
      status: 'erlang-distribution',
      dist_status: 'ok',
      full_name: 'otp27a@vm',
      version: 6,
      flags: '0xd07df7fbd',
      hidden: false,
      severity: 'critical',
    });
    expect(second?.full_name).toBe('otp27a@vm');
    const names = node.received.map(announced);
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(/^epmd-scan-[0-9a-f]{12}@scanner$/);
    expect(names[0]).not.toBe(names[1]);
  });

  it('otp27b@127.5.0.1, started -hidden: its challenge says hidden', async () => {
    const node = await replayNode('otp27-hs-v6-otp27b.hex');
    peers.push(node);
    const [rec] = await probeDist([node.port]);
    expect(rec).toMatchObject({
      full_name: 'otp27b@127.5.0.1',
      hidden: true,
      flags: '0xd07df7fbc',
    });
  });

  it("the library: scan({ probe: 'dist' }) and distDetail() from the built package", async () => {
    const node = await replayNode('otp27-hs-v6-otp27a.hex');
    peers.push(node);
    const { distDetail, scan } = await import('../../dist/index.js');
    const records = [];
    for await (const r of scan({
      targets: ['127.0.0.1'],
      ports: [node.port],
      probe: 'dist',
      workers: 0,
    }))
      records.push(r);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      probe: 'dist',
      status: 'erlang-distribution',
      exposed: true,
    });
    expect(distDetail(records[0] as (typeof records)[number])).toEqual({
      handshake: { outcome: 'status', status: 'ok' },
      fullName: 'otp27a@vm',
      version: 6,
      flags: '0xd07df7fbd',
      hidden: false,
      cookie: null,
    });
  });

  it('the gate against a dist baseline: a new exposure, then the port answering as another node', async () => {
    const node = await replayNode('otp27-hs-v6-otp27a.hex');
    peers.push(node);
    const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-dist-gate-'));
    try {
      const args = ['--probe', 'dist', '127.0.0.1', '-p', String(node.port), '-n', '-q'];
      const first = await runCli([...args, '--fail-on-exposed']);
      expect(first.code).toBe(1);
      expect(first.stderr).toContain(`1 new exposure(s): 127.0.0.1:${node.port}`);
      const baseline = join(dir, 'baseline.csv');
      writeFileSync(baseline, first.stdout);
      expect((await runCli([...args, '--fail-on-exposed', '--baseline', baseline])).code).toBe(0);
      // The same ip:port, once another node: new-node.
      writeFileSync(join(dir, 'renamed.csv'), first.stdout.replace('otp27a@vm', 'otp27z@vm'));
      const renamed = await runCli([
        ...args,
        '--fail-on',
        'new-node',
        '--baseline',
        join(dir, 'renamed.csv'),
      ]);
      expect(renamed.code).toBe(1);
      expect(renamed.stderr).toMatch(/new node/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--check-cookies keeps to --follow-up-timeout: a node that never answers our digest is cut', async () => {
    // The replayed node sends its challenge, then says nothing to our challenge reply.
    const node = await replayNode('otp27-hs-v6-otp27a.hex');
    peers.push(node);
    const [rec] = await probeDist(
      [node.port],
      ['--check-cookies', '--timeout', '20000', '--follow-up-timeout', '300'],
    );
    expect(rec).toMatchObject({
      dist_status: 'ok',
      cookie: null,
      follow_ups_cut: ['check-cookies'],
    });
    // The probe's connection and the first cookie's: the budget stopped the rest.
    expect(node.received).toHaveLength(2);
  });

  it('SARIF: a valid log, the exposure under the open-distribution-port rule', async () => {
    const node = await replayNode('otp27-hs-v6-otp27b.hex');
    peers.push(node);
    const r = await runCli([
      '--probe',
      'dist',
      '127.0.0.1',
      '-p',
      String(node.port),
      '-f',
      'sarif',
      '-n',
      '-q',
    ]);
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(sarifErrors(log)).toEqual([]);
    const [run] = log.runs;
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual([
      'accepted-cookie',
      'couchdb-default-cookie',
      'open-distribution-port',
      'tls-distribution',
      'distribution-port',
    ]);
    expect(run.results).toHaveLength(1);
    expect(run.results[0]).toMatchObject({ ruleId: 'open-distribution-port', level: 'error' });
    expect(JSON.stringify(run.results[0])).toContain('otp27b@127.5.0.1');
  });

  it('a refusal (not_allowed) is Erlang distribution, at the --severity level, with no name', async () => {
    const node = await replayNode('otp27-hs-otp25flags-otp27a.hex');
    peers.push(node);
    const [rec] = await probeDist([node.port], ['--check-cookies']);
    expect(rec).toMatchObject({
      status: 'erlang-distribution',
      exposed: true,
      dist_status: 'not_allowed',
      full_name: null,
      cookie: 'not-tried',
      severity: 'high',
    });
  });
});

describe.runIf(real)('--probe dist on real OTP 25 nodes and an HTTP server', () => {
  let epmd: RealEpmd;
  let server: http.Server;
  let httpPort = 0;
  let dir: string;
  const host = hostname().split('.')[0];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'epmd-scan-dist-probe-'));
    epmd = await startEpmd();
    const starts: Promise<unknown>[] = [epmd.startNode('shadow', ['-hidden'])];
    if (tls) starts.push(startTlsNode(epmd, dir));
    await Promise.all(starts);
    server = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    httpPort = (server.address() as net.AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    await epmd?.stop();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a hidden node: erlang-distribution, its full name, hidden', async () => {
    const port = epmd.names().get('shadow') as number;
    const [rec] = await probeDist([port]);
    expect(rec).toMatchObject({
      status: 'erlang-distribution',
      full_name: `shadow@${host}`,
      hidden: true,
    });
  });

  it.runIf(tls)(
    'a TLS distribution node: tls, an exposure, with the verify_peer risk; cookies not tried',
    async () => {
      const port = epmd.names().get('tlsnode') as number;
      const [rec] = await probeDist([port], ['--check-cookies']);
      expect(rec).toMatchObject({
        status: 'tls',
        exposed: true,
        dist_status: 'tls',
        full_name: null,
        cookie: 'not-tried',
        severity: 'high',
        tag: 'erlang-dist',
      });
      expect(rec?.risks).toContain(
        `distribution over TLS: a cookie alone may not be enough; check verify_peer (port ${port})`,
      );
    },
  );

  it('an HTTP server (HTTP/1.1 400) is not-erlang-distribution, and no exposure', async () => {
    const [rec] = await probeDist([httpPort]);
    expect(rec).toMatchObject({
      status: 'not-erlang-distribution',
      exposed: false,
      error: 'bad-frame',
    });
    const csv = await runCli(['--probe', 'dist', '127.0.0.1', '-p', String(httpPort), '-n', '-q']);
    expect(csv.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('--probe dist on the command line', () => {
  it('without -p it probes 25672, 4370-4375 and 9100-9105', async () => {
    const r = await runCli(['--probe', 'dist', '--list-targets', '127.0.0.1']);
    expect(r.code).toBe(0);
    const ports = [25672, 4370, 4371, 4372, 4373, 4374, 4375, 9100, 9101, 9102, 9103, 9104, 9105];
    expect(r.stdout.trim().split('\n')).toEqual(ports.map((p) => `127.0.0.1:${p}`));
  });
  it('--node-info and --check-dist ask an EPMD: refused with --probe dist; --handshake is what it does', async () => {
    for (const flag of ['--node-info', '--check-dist']) {
      const r = await runCli(['--probe', 'dist', flag, '127.0.0.1', '-p', '1']);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toContain(`${flag} does not go with --probe dist`);
      expect(r.stderr).toContain('hint: --probe dist takes --handshake, --check-cookies');
      expect(r.stdout).toBe('');
    }
    const ok = await runCli([
      '--probe',
      'dist',
      '--handshake',
      '--list-targets',
      '127.0.0.1',
      '-p',
      '1',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('127.0.0.1\n');
  });
  it('an unknown kind is a usage error naming the known ones', async () => {
    const r = await runCli(['--probe', 'smtp', '127.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/names, dist/);
  });
});
