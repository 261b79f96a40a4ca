// -S, --source-ip: every connection, follow-ups included, binds the given
// local address. Checked by a peer that sees the source of each connection:
// inside a network namespace this test creates, whose loopback holds two
// addresses of each family; the peer (an EPMD on 4369 listing one node on
// 9100 that answers the handshake, both ports private to the namespace)
// records who connected, and the CLI runs inside the namespace, on both
// socket paths, with and without worker threads: NAMES, PORT_PLEASE2, the
// dist check, the handshake and a cookie check each make one connection.

import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { runCli } from '../helpers/cli.js';
import { fakeServer, rabbitEpmd } from '../helpers/fake-server.js';
import { createNetns, type Netns, netnsOrSkip } from '../helpers/netns.js';
import { REQUIRE_REAL } from '../helpers/real-epmd.js';

const ok = netnsOrSkip('--source-ip in a network namespace');
if (!ok && REQUIRE_REAL) {
  throw new Error('EPMD_SCAN_REQUIRE_REAL=1 but network namespaces need root and iproute2');
}

const V4 = { target: '10.215.0.1', source: '10.215.0.2' };
const V6 = { target: 'fd15:b::1', source: 'fd15:b::2' };

/**
 * The peer, run with node inside the namespace: an EPMD on 4369 (NAMES lists
 * `rabbit` at 9100; PORT_PLEASE2 answers for it) and a distribution port on
 * 9100 that accepts. One JSON line on stdout per connection: its local port
 * and source address; `ready` once both listen.
 */
const PEER = `
import net from 'node:net';
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const from = (s) => s.remoteAddress.replace(/^::ffff:/, '');
const epmd = net.createServer((s) => {
  say({ port: 4369, from: from(s) });
  s.on('error', () => {});
  let got = Buffer.alloc(0);
  s.on('data', (d) => {
    got = Buffer.concat([got, d]);
    if (got.length >= 3 && got[2] === 0x6e) {
      const h = Buffer.alloc(4); h.writeUInt32BE(4369);
      s.end(Buffer.concat([h, Buffer.from('name rabbit at port 9100\\n')]));
    } else if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0) && got[2] === 0x7a) {
      const name = got.subarray(3);
      const r = Buffer.alloc(14 + name.length);
      r[0] = 0x77; r[1] = 0; r.writeUInt16BE(9100, 2); r[4] = 77; r[5] = 0;
      r.writeUInt16BE(6, 6); r.writeUInt16BE(5, 8); r.writeUInt16BE(name.length, 10);
      name.copy(r, 12); r.writeUInt16BE(0, 12 + name.length);
      s.end(r);
    }
  });
});
// The distribution port: to send_name, status ok and a challenge; to
// anything after that (a challenge reply), the close of a wrong cookie.
const node = net.createServer((s) => {
  say({ port: 9100, from: from(s) });
  s.on('error', () => {});
  let answered = false;
  s.on('data', () => {
    if (answered) return void s.end();
    answered = true;
    const name = Buffer.from('rabbit@ns');
    const c = Buffer.alloc(21 + name.length);
    c.writeUInt16BE(19 + name.length, 0);
    c[2] = 0x4e; c.writeBigUInt64BE(0x3499ffffdn, 3); c.writeUInt32BE(0x12345678, 11);
    c.writeUInt32BE(1, 15); c.writeUInt16BE(name.length, 19); name.copy(c, 21);
    s.write(Buffer.concat([Buffer.from([0, 3, 0x73, 0x6f, 0x6b]), c]));
  });
  s.on('end', () => s.end());
});
let up = 0;
const listening = () => { if (++up === 2) say({ ready: true }); };
epmd.listen({ host: '::', port: 4369 }, listening);
node.listen({ host: '::', port: 9100 }, listening);
`;

interface Seen {
  port: number;
  from: string;
}

/** The peer's process and the connections it has reported so far. */
class Peer {
  readonly seen: Seen[] = [];
  private waiters: (() => void)[] = [];
  private child: ChildProcess;
  private buffered = '';
  readonly ready: Promise<void>;

  constructor(ns: Netns) {
    this.child = spawn(
      ns.exec[0] as string,
      [...ns.exec.slice(1), process.execPath, '--input-type=module', '-e', PEER],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let isReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => {
      isReady = resolve;
    });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) {
        const o = JSON.parse(line) as Seen & { ready?: boolean };
        if (o.ready) isReady();
        else this.seen.push(o);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves once `n` connections have been reported; rejects after 10 s. */
  async count(n: number): Promise<Seen[]> {
    const deadline = Date.now() + 10_000;
    while (this.seen.length < n) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `the peer saw ${this.seen.length} connections, not ${n}: ${JSON.stringify(this.seen)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.seen.splice(0);
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

describe.runIf(ok)('--source-ip in a private network namespace', () => {
  let ns: Netns;
  let peer: Peer;
  beforeAll(async () => {
    ns = createNetns();
    for (const a of [`${V4.target}/32`, `${V4.source}/32`]) ns.ip('addr', 'add', a, 'dev', 'lo');
    for (const a of [`${V6.target}/128`, `${V6.source}/128`]) {
      ns.ip('-6', 'addr', 'add', a, 'dev', 'lo', 'nodad');
    }
    peer = new Peer(ns);
    await peer.ready;
  });
  afterAll(() => {
    peer?.stop();
    ns?.remove();
  });

  const scan = (extra: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(
      [
        V4.target,
        V6.target,
        '-n',
        '-f',
        'ndjson',
        '--node-info',
        '--check-dist',
        '--check-cookies',
        '--cookie-attempts',
        '1',
        ...extra,
      ],
      { prefix: ns.exec, env },
    );

  it('without -S the system picks the source (the target address itself here)', async () => {
    const r = await scan(['--workers', '0', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const seen = await peer.count(10);
    expect(seen.filter((s) => s.from === V4.target)).toHaveLength(5);
    expect(seen.filter((s) => s.from === V6.target)).toHaveLength(5);
  });

  for (const workers of ['0', '2']) {
    for (const portable of [false, true]) {
      const path = portable ? 'net.connect' : 'bare handles';
      it(`binds both families' sources for NAMES and every follow-up (--workers ${workers}, ${path})`, async () => {
        const r = await scan(
          ['-S', V4.source, '--source-ip', V6.source, '--workers', workers, '-q'],
          portable ? { EPMD_SCAN_PORTABLE_SOCKETS: '1' } : {},
        );
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const records = r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(records.map((x) => x.ip).sort()).toEqual([V4.target, V6.target].sort());
        for (const x of records) {
          expect(x.status).toBe('epmd');
          expect(x.nodes[0]).toMatchObject({
            name: 'rabbit',
            type: 'normal',
            dist_reachable: true,
          });
        }
        const seen = await peer.count(6);
        const sorted = (l: Seen[]) => l.map((s) => `${s.port} ${s.from}`).sort();
        expect(sorted(seen)).toEqual(
          sorted([
            ...[V4.source, V6.source].flatMap((from) => [
              { port: 4369, from }, // NAMES
              { port: 4369, from }, // PORT_PLEASE2
              { port: 9100, from }, // the dist check
              { port: 9100, from }, // the handshake
              { port: 9100, from }, // one cookie
            ]),
          ]),
        );
      });
    }
  }

  it('a target of a family without -S uses the system choice; the other family its source', async () => {
    const r = await scan(['-S', V6.source, '--workers', '0', '-q']);
    expect(r.code).toBe(0);
    const seen = await peer.count(10);
    expect(seen.filter((s) => s.from === V4.target)).toHaveLength(5);
    expect(seen.filter((s) => s.from === V6.source)).toHaveLength(5);
  });

  it("accepts the namespace's own address and refuses the host's (not local here)", async () => {
    const r = await runCli([V4.target, '-S', '192.0.2.1', '-n'], { prefix: ns.exec });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--source-ip '192.0.2.1' is not an address of this machine");
    expect(r.stdout).toBe('');
  });
});

/** Connects once more and waits until the server has seen it: every earlier connection is counted then. */
async function settle(port: number, received: Buffer[], before: number): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('error', reject);
  });
  for (let i = 0; i < 200 && received.length <= before; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  socket.destroy();
}

describe('--source-ip refused before the first packet', () => {
  for (const [value, message] of [
    ['192.0.2.1', "--source-ip '192.0.2.1' is not an address of this machine's interfaces"],
    // Issue #22, case 13: a UDP bind takes these; a connection's source cannot be one.
    ['224.0.0.1', "--source-ip '224.0.0.1' is a multicast address"],
    ['255.255.255.255', "--source-ip '255.255.255.255' is the broadcast address"],
    [
      '127.255.255.255',
      "--source-ip '127.255.255.255' is the broadcast address of lo's 127.0.0.0/8",
    ],
    ['0.0.0.0', "--source-ip '0.0.0.0' is the unspecified address"],
    ['ff02::1', "--source-ip 'ff02::1' is a multicast address"],
    ['bogus', "'bogus' is not an IPv4 or IPv6 address"],
    ['127.0.0.1,::1', "'127.0.0.1,::1' is not an IPv4 or IPv6 address"],
  ] as const) {
    it(`-S ${value}: exit 2 and no connection`, async () => {
      const server = await rabbitEpmd();
      try {
        const r = await runCli(['127.0.0.1', '-p', String(server.port), '-S', value]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(message);
        expect(r.stdout).toBe('');
        // Our own connection is the first and only one the server sees.
        await settle(server.port, server.received, 0);
        expect(server.received).toHaveLength(1);
      } finally {
        await server.close();
      }
    });
  }

  it('a second address of the same family names both', async () => {
    const r = await runCli(['127.0.0.1', '-S', '127.0.0.1', '-S', '10.9.9.9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("two IPv4 source addresses, '127.0.0.1' and '10.9.9.9'");
  });

  it('one address of each family is accepted, and the scan binds it on loopback', async () => {
    const seen: string[] = [];
    const server = await fakeServer(async (socket, request) => {
      seen.push(socket.remoteAddress ?? '');
      await request;
      socket.end(Buffer.from([0, 0, 0x11, 0x11]));
    });
    try {
      // 127.0.0.2 is not listed by the interfaces, but loopback's /8 binds it.
      const r = await runCli([
        '127.0.0.1',
        '-p',
        String(server.port),
        '-S',
        '127.0.0.2',
        '-S',
        '::1',
        '-n',
        '-q',
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('"127.0.0.1","tcp",');
      expect(seen).toEqual(['127.0.0.2']);
    } finally {
      await server.close();
    }
  });
});

describe('the library option sourceIps', () => {
  for (const portableSockets of [false, true]) {
    it(`a bind that fails is the target's error, not a crash (${portableSockets ? 'net.connect' : 'bare handles'})`, async () => {
      const server = await rabbitEpmd();
      try {
        const records = [];
        for await (const r of scan({
          targets: ['127.0.0.1'],
          ports: [server.port],
          sourceIps: { v4: '192.0.2.1' },
          workers: 0,
          portableSockets,
        })) {
          records.push(r);
        }
        expect(records.map((r) => [r.status, r.error])).toEqual([['error', 'eaddrnotavail']]);
        await settle(server.port, server.received, 0);
        expect(server.received).toHaveLength(1);
      } finally {
        await server.close();
      }
    });
  }
});
