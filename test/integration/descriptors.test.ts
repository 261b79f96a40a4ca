// The descriptor budget: a scan with an open-file limit of 1,024 never runs
// out of descriptors, whatever its follow-ups and whoever reaches --metrics.
//
// 1,024 EPMDs: a /22 routed to the loopback of a namespace of the test's
// own, where a fake EPMD (bench/peers/epmd-farm.js) answers on every address
// with four nodes whose distribution port answers send_name with `sok` and a
// challenge. `--handshake` then opens 1,024 NAMES and 4,096 handshake sockets.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, header } from '../helpers/fake-server.js';
import { createNetns, type Netns, netnsOrSkip } from '../helpers/netns.js';
import { freePort } from '../helpers/real-epmd.js';

const FARM = fileURLToPath(new URL('../../bench/peers/epmd-farm.js', import.meta.url));
/** The limit the scan runs under: soft and hard (Node raises the soft one to the hard one). */
const LIMIT = ['prlimit', '--nofile=1024:1024'];

const lab = netnsOrSkip('the descriptor-budget test over 1,024 EPMDs');

describe.runIf(lab)('1,024 EPMDs under ulimit -n 1024', () => {
  let ns: Netns;
  let farm: ChildProcess;
  beforeAll(async () => {
    ns = createNetns();
    ns.ip('route', 'add', 'local', '10.77.0.0/22', 'dev', 'lo');
    const [cmd, ...args] = [...ns.exec, process.execPath, FARM, '4369', '25672', '4', '0'];
    farm = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      farm.stdout?.on('data', (d: Buffer) => {
        if (String(d).includes('ready')) resolve();
      });
      farm.on('exit', (code) => reject(new Error(`the EPMD farm exited (${code})`)));
    });
  });
  afterAll(() => {
    farm?.kill('SIGKILL');
    ns?.remove();
  });

  it('--handshake writes 1,024 records, every node answered, and exits 0', async () => {
    const r = await runCli(
      ['10.77.0.0/22', '--handshake', '-f', 'ndjson', '-n', '--follow-up-timeout', '60000'],
      { prefix: [...ns.exec, ...LIMIT], timeoutMs: 120_000 },
    );
    expect(r.stderr).not.toMatch(/EMFILE|unexpected error|internal error/);
    expect(r.code).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(1024);
    expect(new Set(records.map((x) => x.ip)).size).toBe(1024);
    expect(records.every((x) => x.status === 'epmd' && x.follow_ups_cut.length === 0)).toBe(true);
    const statuses = records.flatMap((x) =>
      x.nodes.map((n: { dist_status: string }) => n.dist_status),
    );
    expect(statuses).toHaveLength(4096);
    expect(new Set(statuses)).toEqual(new Set(['ok']));
    // The summary says what bounded the probes in flight.
    expect(r.stderr).toMatch(/in flight: at most \d{3} \(set by the open-file limit/);
  });

  it('EMFILE anyway (a budget larger than the limit): each connect waits and tries again', async () => {
    // The library told a budget of 4,096 sockets under a limit of 256: the
    // system refuses sockets, the budget learns, and no target is lost.
    const script = `
      const { scan } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
      const counts = {};
      for await (const r of scan({ targets: ['10.77.0.0/22'], ports: [4369], sockets: 4096, concurrency: 4096, workers: 0 })) {
        const key = r.status + ':' + (r.error ?? '');
        counts[key] = (counts[key] ?? 0) + 1;
      }
      process.stdout.write(JSON.stringify(counts));`;
    const [cmd, ...args] = [
      ...ns.exec,
      'prlimit',
      '--nofile=256:256',
      process.execPath,
      '--input-type=module',
      '-e',
      script,
    ];
    const r = spawnSync(cmd as string, args, { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ 'epmd:': 1024 });
  });
});

describe('--metrics under ulimit -n 1024', () => {
  let gated: FakeServer;
  let release: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => {
    release = resolve;
  });
  beforeAll(async () => {
    // An EPMD that answers only when the test says so: the scan runs until then.
    gated = await fakeServer(async (socket, request) => {
      await request;
      await answered;
      socket.end(Buffer.concat([header(4369), Buffer.from('name rabbit at port 25672\n')]));
    });
  });
  afterAll(async () => {
    release();
    await gated.close();
  });

  it('1,100 idle clients change nothing: capped, dropped, and the scan completes', async () => {
    const closed = await freePort();
    const clients: net.Socket[] = [];
    let url = '';
    const result = runCli(
      [
        '127.0.0.1-127.0.0.8',
        '-p',
        `${closed},${gated.port}`,
        '--timeout',
        '60000',
        '-n',
        '--metrics',
        '127.0.0.1:0',
      ],
      {
        prefix: LIMIT,
        timeoutMs: 60_000,
        onSpawn: (_pid, stderr) => {
          const poll = setInterval(() => {
            url = /metrics at (http:\S+)/.exec(stderr.text())?.[1] ?? '';
            if (url) clearInterval(poll);
          }, 20);
          setTimeout(() => clearInterval(poll), 20_000).unref();
        },
      },
    );
    for (let i = 0; i < 1000 && (!url || gated.received.length === 0); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(url).not.toBe('');
    expect(gated.received).toHaveLength(1);
    const { port } = new URL(url);
    // 1,100 connections that never send a byte; each ends when the server drops it.
    const ended = Array.from(
      { length: 1100 },
      () =>
        new Promise<void>((resolve) => {
          const s = net.connect(Number(port), '127.0.0.1');
          clients.push(s);
          s.on('error', () => resolve());
          s.on('close', () => resolve());
        }),
    );
    try {
      await Promise.all(ended);
      // Every idle one was dropped (the last ones after the idle timeout): a scrape is served.
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^epmd_scan_in_flight 1$/m);
    } finally {
      for (const s of clients) s.destroy();
      release();
    }
    const r = await result;
    expect(r.stderr).not.toMatch(/EMFILE|unexpected error|internal error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/epmd 1, refused 15/);
    expect(r.stdout.trim().split('\n')).toHaveLength(2); // the header and the exposure
  });
});
