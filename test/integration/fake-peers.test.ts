// Every kind of peer a scanner meets, each with the exact record expected.
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { namesDetail, nodesOf } from '../../src/probes/names/index.js';
import type { ScanRecord } from '../../src/record.js';
import { scan } from '../../src/scan/scan.js';
import {
  type Behaviour,
  type FakeServer,
  fakeServer,
  header,
  writeEach,
} from '../helpers/fake-server.js';

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Which connect path the suite runs on: bare TCP handles (default) or net.connect. */
let portableSockets = false;

async function probe(behaviour: Behaviour, opts: { timeout?: number; maxReply?: number } = {}) {
  server = await fakeServer(behaviour);
  const records: ScanRecord[] = [];
  for await (const r of scan({
    targets: ['127.0.0.1'],
    ports: [server.port],
    portableSockets,
    connectTimeout: 2000,
    timeout: opts.timeout ?? 5000,
    maxReply: opts.maxReply,
  }))
    records.push(r);
  expect(records).toHaveLength(1);
  const r = records[0] as ScanRecord;
  return {
    status: r.status,
    error: r.error,
    epmdPort: namesDetail(r)?.epmdPort ?? null,
    truncated: namesDetail(r)?.truncated ?? false,
    nodes: nodesOf(r).map((n) => `${n.name}:${n.port}`),
  };
}

/** Replies to the request with `parts`, then closes. */
const answer =
  (...parts: (string | Buffer)[]): Behaviour =>
  async (socket, request) => {
    await request;
    await writeEach(socket, parts);
    socket.end();
  };

const lines = (n: number) =>
  Array.from({ length: n }, (_, i) => `name node${i} at port ${10000 + i}\n`);

describe.each([
  ['bare handles', false],
  ['net.connect', true],
])('hostile and odd peers (%s)', (_path, portable) => {
  beforeEach(() => {
    portableSockets = portable;
  });

  it('sends exactly 00 01 6e and nothing more; a strict server answers', async () => {
    const strict: Behaviour = async (socket, request) => {
      const req = await request;
      if (!req.equals(Buffer.from([0, 1, 0x6e]))) return void socket.destroy();
      await writeEach(socket, [header(4369), 'name strict at port 1234\n']);
      socket.end();
    };
    expect(await probe(strict)).toEqual({
      status: 'epmd',
      error: null,
      epmdPort: 4369,
      truncated: false,
      nodes: ['strict:1234'],
    });
    expect(server?.received.map((b) => b.toString('hex'))).toEqual(['00016e']);
  });
  it('zero nodes: the header alone is an exposed EPMD', async () => {
    expect(await probe(answer(header(4369)))).toEqual({
      status: 'epmd',
      error: null,
      epmdPort: 4369,
      truncated: false,
      nodes: [],
    });
  });
  it('hundreds of nodes in small chunks', async () => {
    const body = lines(300).join('');
    const chunks: string[] = [];
    for (let i = 0; i < body.length; i += 7) chunks.push(body.slice(i, i + 7));
    const r = await probe(answer(header(4369), ...chunks));
    expect(r.status).toBe('epmd');
    expect(r.nodes).toHaveLength(300);
    expect(r.nodes[299]).toBe('node299:10299');
  });
  it('a byte-by-byte dribble', async () => {
    const bytes = Buffer.concat([header(4369), Buffer.from(lines(3).join(''))]);
    const r = await probe(answer(...[...bytes].map((b) => Buffer.from([b]))));
    expect(r).toEqual({
      status: 'epmd',
      error: null,
      epmdPort: 4369,
      truncated: false,
      nodes: ['node0:10000', 'node1:10001', 'node2:10002'],
    });
  });
  it('a header then silence: EPMD with the nodes so far, io-timeout', async () => {
    const stall: Behaviour = async (socket, request) => {
      await request;
      await writeEach(socket, [header(4369), 'name early at port 7\nname par']);
    };
    expect(await probe(stall, { timeout: 400 })).toEqual({
      status: 'epmd',
      error: 'io-timeout',
      epmdPort: 4369,
      truncated: false,
      nodes: ['early:7'],
    });
  });
  it('silence: timeout, io-timeout', async () => {
    expect(await probe(() => undefined, { timeout: 300 })).toEqual({
      status: 'timeout',
      error: 'io-timeout',
      epmdPort: null,
      truncated: false,
      nodes: [],
    });
  });
  it('an immediate close: not EPMD, empty-reply', async () => {
    expect(await probe((socket) => void socket.end())).toMatchObject({
      status: 'not-epmd',
      error: 'empty-reply',
    });
  });
  it('an HTTP reply is never EPMD', async () => {
    expect(
      await probe(answer('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')),
    ).toMatchObject({
      status: 'not-epmd',
      error: 'bad-header',
      nodes: [],
    });
  });
  it('random bytes are never EPMD', async () => {
    const junk = Buffer.concat([Buffer.from([0x17, 0x03]), randomBytes(500)]);
    expect(await probe(answer(junk))).toMatchObject({ status: 'not-epmd', error: 'bad-header' });
  });
  it('an endless reply stops at --max-reply, marked truncated', async () => {
    const endless: Behaviour = async (socket: net.Socket, request) => {
      await request;
      socket.write(header(4369));
      const chunk = Buffer.from(lines(100).join(''));
      // Bounded: at most 64 MiB, far past the cap; stops when the scanner closes.
      for (let sent = 0; sent < 64 * 1024 * 1024 && !socket.destroyed; sent += chunk.length) {
        if (!socket.write(chunk))
          await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    };
    const r = await probe(endless, { maxReply: 4096 });
    expect(r.status).toBe('epmd');
    expect(r.truncated).toBe(true);
    expect(r.error).toBe('reply-truncated');
    expect(r.nodes.length).toBeGreaterThan(50);
    expect(r.nodes.length).toBeLessThan(4096 / 20);
  });
  it('hostile names are escaped: ANSI, formula, commas, quotes, invalid UTF-8', async () => {
    const r = await probe(
      answer(
        header(4369),
        'name \x1b]0;pwned\x07\x1b[2J at port 1\n',
        'name =HYPERLINK("http://x") at port 2\n',
        'name a,b;"c" at port 3\n',
        Buffer.concat([
          Buffer.from('name '),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from(' at port 4\n'),
        ]),
      ),
    );
    expect(r.nodes).toEqual([
      '\\x1b]0;pwned\\x07\\x1b[2J:1',
      '=HYPERLINK("http://x"):2',
      'a,b;"c":3',
      '\\xc3(\\xff:4',
    ]);
  });
  it('malformed lines are skipped, good ones kept', async () => {
    const r = await probe(
      answer(
        header(4369),
        'name  at port 5\nname x at port 99999\nname y at port 0\njunk\nname ok at port 5\n',
      ),
    );
    expect(r).toMatchObject({ status: 'epmd', error: null, nodes: ['ok:5'] });
  });
  it('a reset mid-reply keeps what arrived', async () => {
    const reset: Behaviour = async (socket, request) => {
      await request;
      await writeEach(socket, [header(4369), 'name before at port 11\n']);
      socket.resetAndDestroy();
    };
    const r = await probe(reset);
    expect(r.status).toBe('epmd');
    expect(r.nodes).toEqual(['before:11']);
    expect(['connection-reset', null]).toContain(r.error);
  });
  it('CRLF lines', async () => {
    expect(
      await probe(answer(header(4369), 'name a at port 1\r\nname b at port 2\r\n')),
    ).toMatchObject({
      nodes: ['a:1', 'b:2'],
    });
  });
  it('reports an epmd_port other than 4369', async () => {
    expect(await probe(answer(header(14369), 'name a at port 1\n'))).toMatchObject({
      status: 'epmd',
      epmdPort: 14369,
    });
  });
  it('names of 255 characters are kept, longer ones skipped', async () => {
    const r = await probe(
      answer(
        header(4369),
        `name ${'x'.repeat(255)} at port 1\nname ${'y'.repeat(256)} at port 2\n`,
      ),
    );
    expect(r.nodes).toEqual([`${'x'.repeat(255)}:1`]);
  });
  it('no final newline', async () => {
    expect(
      await probe(answer(header(4369), 'name a at port 1\nname last at port 2')),
    ).toMatchObject({
      nodes: ['a:1', 'last:2'],
    });
  });
});

describe.each([
  ['bare handles', false],
  ['net.connect', true],
])('failures are data (%s)', (_path, portable) => {
  it('a closed port is refused', async () => {
    server = await fakeServer(() => undefined);
    const port = server.port;
    await server.close();
    server = null;
    const records: ScanRecord[] = [];
    for await (const r of scan({
      targets: ['127.0.0.1'],
      ports: [port],
      portableSockets: portable,
    }))
      records.push(r);
    expect(records.map((r) => [r.status, r.error])).toEqual([['refused', 'connection-refused']]);
  });
  it('every target gets exactly one record, with many in flight at once', async () => {
    // The server listens on 127.0.0.1 only: the other 199 loopback addresses refuse.
    server = await fakeServer(answer(header(4369), 'name a at port 1\n'));
    const seen = new Map<string, string[]>();
    for await (const r of scan({
      targets: ['127.0.0.1-127.0.0.200'],
      ports: [server.port],
      concurrency: 50,
    })) {
      seen.set(r.ip, [...(seen.get(r.ip) ?? []), r.status]);
    }
    expect(seen.size).toBe(200);
    expect(seen.get('127.0.0.1')).toEqual(['epmd']);
    for (const [ip, statuses] of seen)
      if (ip !== '127.0.0.1') expect(statuses).toEqual(['refused']);
  });
});
