// --node-info, --check-dist and --handshake against a real epmd with real
// nodes: a normal node, a node started -hidden, and a C-node registered by
// this test (ALIVE2 from loopback, type 72) on a port where nothing listens.
import net from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieDigest } from '../../src/epmd/handshake.js';
import { type NodeEntry, nodesOf } from '../../src/probes/names/index.js';
import type { ScanRecord } from '../../src/record.js';
import type { ScanOptions } from '../../src/scan/options.js';
import { scan } from '../../src/scan/scan.js';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, header } from '../helpers/fake-server.js';
import { freePort, type RealEpmd, realPeersOrSkip, startEpmd } from '../helpers/real-epmd.js';

const real = realPeersOrSkip();

/** Registers a node with epmd (ALIVE2_REQ) and keeps the registration open. */
async function registerCNode(epmdPort: number, name: string, port: number): Promise<net.Socket> {
  const n = Buffer.from(name);
  const body = Buffer.alloc(1 + 2 + 1 + 1 + 2 + 2 + 2 + n.length + 2);
  let o = 0;
  body[o++] = 120; // ALIVE2_REQ 'x'
  body.writeUInt16BE(port, o);
  o += 2;
  body[o++] = 72; // NodeType: hidden C-node
  body[o++] = 0; // Protocol: TCP/IPv4
  body.writeUInt16BE(6, o); // HighestVersion
  o += 2;
  body.writeUInt16BE(5, o); // LowestVersion
  o += 2;
  body.writeUInt16BE(n.length, o);
  o += 2;
  n.copy(body, o);
  o += n.length;
  body.writeUInt16BE(0, o); // Elen
  const socket = net.connect(epmdPort, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () =>
      socket.write(Buffer.concat([Buffer.from([body.length >> 8, body.length & 255]), body])),
    );
    socket.once('data', (d: Buffer) =>
      (d[0] === 121 || d[0] === 118) && d[1] === 0
        ? resolve()
        : reject(new Error(`ALIVE2 refused: ${d.toString('hex')}`)),
    );
  });
  return socket;
}

const byName = (r: ScanRecord) => new Map<string, NodeEntry>(nodesOf(r).map((n) => [n.name, n]));

describe.runIf(real)('node details against real OTP nodes', () => {
  let epmd: RealEpmd;
  let cnode: net.Socket;
  const host = hostname().split('.')[0];
  beforeAll(async () => {
    epmd = await startEpmd();
    await Promise.all([epmd.startNode('rabbit'), epmd.startNode('shadow', ['-hidden'])]);
    cnode = await registerCNode(epmd.port, 'cnode', await freePort());
  });
  afterAll(async () => {
    cnode?.destroy();
    await epmd?.stop();
  });

  it('reports type, versions, reachability, status and full name of each node', async () => {
    const records: ScanRecord[] = [];
    for await (const r of scan({
      targets: ['127.0.0.1'],
      ports: [epmd.port],
      nodeInfo: true,
      checkDist: true,
      handshake: true,
    })) {
      records.push(r);
    }
    const r = records[0] as ScanRecord;
    expect(r.status).toBe('epmd');
    const nodes = byName(r);
    expect(nodes.get('rabbit')).toMatchObject({
      type: 'normal',
      protocol: 0,
      highestVersion: 6,
      lowestVersion: 5,
      distReachable: true,
      handshake: { outcome: 'status', status: 'ok' },
      fullName: `rabbit@${host}`,
    });
    expect(nodes.get('rabbit')?.flags).toMatch(/^0x[0-9a-f]+$/);
    // epmd cannot tell an Erlang -hidden node: it registers as a normal node (77).
    expect(nodes.get('shadow')).toMatchObject({
      type: 'normal',
      distReachable: true,
      handshake: { outcome: 'status', status: 'ok' },
      fullName: `shadow@${host}`,
    });
    expect(nodes.get('cnode')).toMatchObject({
      type: 'hidden',
      distReachable: false,
      handshake: { outcome: 'failed', error: 'connection-refused' },
    });
    expect(nodes.get('cnode')?.fullName).toBeUndefined();
    expect(r.severity).toBe('critical');
    expect(r.risks?.some((x) => x.startsWith('distribution port reachable: '))).toBe(true);
  });

  it('the CLI carries the details in NDJSON and the risks and fix in the table', async () => {
    const nd = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '--node-info',
      '--check-dist',
      '-f',
      'ndjson',
      '-q',
      '-n',
    ]);
    const rec = JSON.parse(nd.stdout);
    const rabbit = rec.nodes.find((n: { name: string }) => n.name === 'rabbit');
    expect(rabbit).toMatchObject({
      type: 'normal',
      highest_version: 6,
      lowest_version: 5,
      dist_reachable: true,
    });
    const table = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '--check-dist',
      '-f',
      'table',
      '-n',
    ]);
    expect(table.stdout).toContain('! distribution port reachable:');
    // How to fix it is said once, in the summary, grouped by fix.
    expect(table.stdout).not.toContain('fix:');
    expect(table.stderr).toContain('how to fix (1 exposure):');
    expect(table.stderr).toMatch(
      new RegExp(
        `firewall the EPMD port and its nodes' distribution ports to trusted peers only: 127\\.0\\.0\\.1:${epmd.port} \\(critical\\)`,
      ),
    );
  });
});

describe('the handshake never authenticates', () => {
  let node: FakeServer;
  let epmd: FakeServer;
  const frame = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
  beforeAll(async () => {
    // A fake node: answers send_name with ok and a challenge, then waits.
    node = await fakeServer(async (socket) => {
      const challenge = Buffer.alloc(19 + 6);
      challenge[0] = 0x4e;
      challenge.writeUInt16BE(6, 17);
      Buffer.from('evil@x').copy(challenge, 19);
      socket.once('data', () =>
        socket.write(Buffer.concat([frame(Buffer.from('sok')), frame(challenge)])),
      );
    });
    epmd = await fakeServer(async (socket, request) => {
      await request;
      socket.end(Buffer.concat([header(4369), Buffer.from(`name evil at port ${node.port}\n`)]));
    });
  });
  afterAll(async () => {
    await node.close();
    await epmd.close();
  });
  it('sends send_name only: no challenge reply, no digest, no cookie', async () => {
    const records: ScanRecord[] = [];
    for await (const r of scan({ targets: ['127.0.0.1'], ports: [epmd.port], handshake: true }))
      records.push(r);
    expect(nodesOf(records[0] as ScanRecord)[0]).toMatchObject({
      handshake: { outcome: 'status', status: 'ok' },
      fullName: 'evil@x',
      distReachable: true,
    });
    expect(node.received).toHaveLength(1);
    const sent = node.received[0] as Buffer;
    expect(sent.readUInt16BE(0)).toBe(sent.length - 2); // exactly one frame
    expect(String.fromCharCode(sent[2] as number)).toBe('N');
    expect(sent.subarray(17).toString()).toMatch(/^epmd-scan-[0-9a-f]{12}@scanner$/);
  });
});

/** A fake node that runs the accepting side of the handshake with `cookie`. */
function cookieNode(cookie: string, ack: 'right' | 'wrong-digest'): Promise<FakeServer> {
  const frame = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
  const digest = (c: number) => cookieDigest(Buffer.from(cookie), c);
  return fakeServer((socket) => {
    const ours = 0x12345678;
    let got = Buffer.alloc(0);
    let stage = 0;
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (stage === 0 && got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        stage = 1;
        const challenge = Buffer.alloc(19 + 6);
        challenge[0] = 0x4e;
        challenge.writeUInt32BE(ours, 9);
        challenge.writeUInt16BE(6, 17);
        Buffer.from('node@x').copy(challenge, 19);
        socket.write(Buffer.concat([frame(Buffer.from('sok')), frame(challenge)]));
        got = got.subarray(2 + got.readUInt16BE(0));
      }
      if (stage === 1 && got.length >= 23) {
        stage = 2;
        // 'r', the scanner's challenge, then its digest of ours.
        if (got[2] !== 0x72 || !got.subarray(7, 23).equals(digest(ours))) {
          socket.end();
          return;
        }
        const theirs = got.readUInt32BE(3);
        const proof = ack === 'right' ? digest(theirs) : Buffer.alloc(16);
        socket.write(frame(Buffer.concat([Buffer.from('a'), proof])));
      }
    });
  });
}

describe('--check-cookies against fake nodes', () => {
  const epmds: FakeServer[] = [];
  afterAll(async () => {
    for (const s of epmds) await s.close();
  });
  async function scanNode(node: FakeServer, options: Partial<ScanOptions> = {}) {
    const epmd = await fakeServer(async (socket, request) => {
      await request;
      socket.end(Buffer.concat([header(4369), Buffer.from(`name couchdb at port ${node.port}\n`)]));
    });
    epmds.push(epmd, node);
    const records: ScanRecord[] = [];
    for await (const r of scan({
      targets: ['127.0.0.1'],
      ports: [epmd.port],
      checkCookies: true,
      ...options,
    }))
      records.push(r);
    return records[0] as ScanRecord;
  }

  it('accepted on a proven ack: send_name and one challenge reply, nothing after the ack', async () => {
    const node = await cookieNode('monster', 'right');
    const r = await scanNode(node);
    expect(nodesOf(r)[0]).toMatchObject({
      handshake: { outcome: 'status', status: 'ok' },
      cookie: { outcome: 'accepted', cookie: 'monster' },
    });
    expect(r.severity).toBe('critical');
    // The handshake of --handshake, then one connection for monster.
    expect(node.received).toHaveLength(2);
    const sent = node.received[1] as Buffer;
    const nameLen = sent.readUInt16BE(0);
    expect(sent.length).toBe(2 + nameLen + 23);
    expect(sent.subarray(2 + nameLen, 2 + nameLen + 3).toString('hex')).toBe('001572');
  });
  it('a wrong cookie everywhere is rejected after --cookie-attempts connections', async () => {
    const node = await cookieNode('k9JqV2xPz', 'right');
    const r = await scanNode(node, { cookieAttempts: 2 });
    expect(nodesOf(r)[0]).toMatchObject({ cookie: { outcome: 'rejected' } });
    expect(node.received).toHaveLength(1 + 2);
  });
  it("an ack whose digest does not prove the node's cookie is not an acceptance", async () => {
    const node = await cookieNode('monster', 'wrong-digest');
    const r = await scanNode(node, { cookieAttempts: 1 });
    expect(nodesOf(r)[0]).toMatchObject({
      cookie: { outcome: 'inconclusive', error: 'bad-ack-digest' },
    });
    expect(r.risks ?? []).not.toContainEqual(expect.stringContaining('accepted'));
  });
  it("a file's cookie is reported by its position", async () => {
    const node = await cookieNode('s3cr3t-from-file', 'right');
    const r = await scanNode(node, { cookies: ['nope', 's3cr3t-from-file'] });
    expect(nodesOf(r)[0]?.cookie).toEqual({ outcome: 'accepted', cookie: 'file entry #2' });
    expect(JSON.stringify(r)).not.toContain('s3cr3t');
  });
});
