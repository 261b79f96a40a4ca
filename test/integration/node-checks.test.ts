// --node-info, --check-dist and --handshake against a real epmd with real
// nodes: a normal node, a node started -hidden, and a C-node registered by
// this test (ALIVE2 from loopback, type 72) on a port where nothing listens.
import net from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeEntry, ScanRecord } from '../../src/record.js';
import { scan } from '../../src/scan.js';
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

const byName = (r: ScanRecord) => new Map<string, NodeEntry>(r.nodes.map((n) => [n.name, n]));

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
      distStatus: 'ok',
      fullName: `rabbit@${host}`,
    });
    expect(nodes.get('rabbit')?.flags).toMatch(/^0x[0-9a-f]+$/);
    // epmd cannot tell an Erlang -hidden node: it registers as a normal node (77).
    expect(nodes.get('shadow')).toMatchObject({
      type: 'normal',
      distReachable: true,
      distStatus: 'ok',
      fullName: `shadow@${host}`,
    });
    expect(nodes.get('cnode')).toMatchObject({
      type: 'hidden',
      distReachable: false,
      distStatus: 'connection-refused',
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
    expect(table.stdout).toMatch(
      new RegExp(`fix: firewall tcp/${epmd.port} and the distribution ports`),
    );
    expect(table.stderr).toContain('how to fix:');
    expect(table.stderr).toContain('(critical)');
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
    expect(records[0]?.nodes[0]).toMatchObject({
      distStatus: 'ok',
      fullName: 'evil@x',
      distReachable: true,
    });
    expect(node.received).toHaveLength(1);
    const sent = node.received[0] as Buffer;
    expect(sent.readUInt16BE(0)).toBe(sent.length - 2); // exactly one frame
    expect(String.fromCharCode(sent[2] as number)).toBe('N');
    expect(sent.subarray(17).toString()).toBe('epmd-scan@scanner');
  });
});
