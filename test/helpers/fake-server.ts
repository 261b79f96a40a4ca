// Fake EPMD peers for tests: a TCP server on 127.0.0.1, port 0 (ephemeral),
// whose behaviour per connection is a script. It records what each client sent.

import net from 'node:net';
import { freePort } from './real-epmd.js';

export interface FakeServer {
  port: number;
  /** Bytes received on each connection, in order of arrival. */
  received: Buffer[];
  close(): Promise<void>;
}

export type Behaviour = (socket: net.Socket, request: Promise<Buffer>) => void | Promise<void>;

export async function fakeServer(behaviour: Behaviour): Promise<FakeServer> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const index = received.push(Buffer.alloc(0)) - 1;
    // The request: the first 3 bytes, or whatever arrived before the client closed.
    const request = new Promise<Buffer>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received[index] = Buffer.concat([received[index] ?? Buffer.alloc(0), chunk]);
        if ((received[index]?.length ?? 0) >= 3) resolve(received[index] as Buffer);
      });
      socket.on('close', () => resolve(received[index] as Buffer));
      socket.on('end', () => resolve(received[index] as Buffer));
    });
    void behaviour(socket, request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The 4-byte NAMES reply header for an epmd on `port`. */
export function header(port: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(port);
  return b;
}

/** Writes `parts` one after another, waiting for each to be flushed (separate TCP segments, mostly). */
export async function writeEach(socket: net.Socket, parts: (string | Buffer)[]): Promise<void> {
  for (const part of parts) {
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => socket.write(part, () => resolve()));
    // Yield to the event loop so consecutive writes are not coalesced by Node.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A fake epmd on port 0 that lists one node, `rabbit` at 25672. */
export function rabbitEpmd(): Promise<FakeServer> {
  return fakeServer(async (socket, request) => {
    await request;
    socket.end(Buffer.concat([header(4369), Buffer.from('name rabbit at port 25672\n')]));
  });
}

/** The usual loopback peers of a CLI test: an epmd listing rabbit, a silent listener, a closed port. */
export interface LoopbackPeers {
  epmd: FakeServer;
  silent: FakeServer;
  closed: number;
}

export async function startPeers(): Promise<LoopbackPeers> {
  return {
    epmd: await rabbitEpmd(),
    silent: await fakeServer(() => undefined),
    closed: await freePort(),
  };
}

export async function stopPeers(peers: Partial<LoopbackPeers>): Promise<void> {
  await peers.epmd?.close();
  await peers.silent?.close();
}
