// Probes over loopback with a small reply budget: readers are stopped and let
// on, each reply arrives whole, and a stopped probe's deadline stands still.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Sweeper } from '../../../src/net/deadlines.js';
import { Probe, type ProbeContext, type ProbeOutcome } from '../../../src/net/probe.js';
import { ReplyMemory } from '../../../src/net/reply-memory.js';

const REPLY = 48 * 1024;
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const BODY = Buffer.alloc(REPLY);
for (let i = 0; i < REPLY; i++) BODY[i] = i % 251;
const HEAD = 40 * 1024;

/**
 * A loopback peer on port 0 that answers any bytes with REPLY bytes (a
 * pattern): all of them at once, or (held) the first 40 KiB now and the
 * rest when `release()` is called.
 */
async function peer(held = false) {
  const waiting: net.Socket[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => {
      if (!held) s.end(BODY);
      else {
        s.write(BODY.subarray(0, HEAD));
        waiting.push(s);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const release = () => {
    held = false;
    for (const s of waiting.splice(0)) s.end(BODY.subarray(HEAD));
  };
  const port = (server.address() as net.AddressInfo).port;
  return { port, release, heldBack: () => waiting.length };
}

/** Turns of the event loop until `ready()` (bounded: a condition, not a sleep). */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !ready(); i++) await new Promise(setImmediate);
}

function context(sweeper: Sweeper): ProbeContext {
  return {
    sweeper,
    connectDeadlines: sweeper.list(10_000),
    replyDeadlines: sweeper.list(10_000, false),
    maxReply: 64 * 1024,
  };
}

describe('Probe with a reply budget', () => {
  it('reads every reply whole while the budget stops and lets on readers', async () => {
    const { port, release, heldBack } = await peer(true);
    const sweeper = new Sweeper(100);
    const ctx = context(sweeper);
    // Room for two whole replies: 12 probes cannot all read at once.
    const memory = new ReplyMemory(128 * 1024, 64 * 1024);
    let mostWaiting = 0;
    let mostUsed = 0;
    const probe = () =>
      new Promise<ProbeOutcome>((resolve) => {
        new Probe('127.0.0.1', port, Buffer.from([0, 1, 0x6e]), ctx, resolve, {
          memory: new Proxy(memory, {
            get(target, key, receiver) {
              mostWaiting = Math.max(mostWaiting, target.waiting);
              mostUsed = Math.max(mostUsed, target.inUse);
              const value = Reflect.get(target, key, receiver);
              return typeof value === 'function' ? value.bind(target) : value;
            },
          }),
        });
      });
    const all = Promise.all(Array.from({ length: 12 }, probe));
    // 12 x 40 KiB read so far is more than the budget: readers are stopped.
    await until(() => memory.waiting > 0 && heldBack() === 12);
    expect(memory.waiting).toBeGreaterThan(0);
    release();
    const outcomes = await all;
    sweeper.stop();
    for (const o of outcomes) {
      expect(o.end).toBe('eof');
      expect(o.bytes.length).toBe(REPLY);
      expect(o.bytes[REPLY - 1]).toBe((REPLY - 1) % 251);
    }
    expect(mostWaiting).toBeGreaterThan(0);
    // At most the budget, plus the read that found it full (64 KiB at most), plus the
    // room of the one reader let on past it so that something finishes (--max-reply).
    expect(mostUsed).toBeGreaterThanOrEqual(128 * 1024);
    expect(mostUsed).toBeLessThanOrEqual(128 * 1024 + 2 * 64 * 1024);
    expect(memory.inUse).toBe(0);
    expect(memory.tight).toBe(false);
  });

  it('takes a probe waiting for room off its deadline, and puts it back with the time it had left', async () => {
    const { port } = await peer();
    const sweeper = new Sweeper(100);
    const ctx = context(sweeper);
    const memory = new ReplyMemory(128 * 1024, 64 * 1024);
    // A record holds the whole budget: every reader that connects waits.
    memory.hold(128 * 1024);
    let probe: Probe | null = null;
    const outcome = new Promise<ProbeOutcome>((resolve) => {
      probe = new Probe('127.0.0.1', port, Buffer.from([0, 1, 0x6e]), ctx, resolve, { memory });
    });
    // Connected and stopped: no deadline runs for it.
    await until(() => memory.waiting > 0);
    expect(memory.waiting).toBe(1);
    expect(ctx.replyDeadlines.size).toBe(0);
    expect(probe).not.toBeNull();
    // The record is taken: the probe goes on, on its deadline again, and reads its reply.
    memory.free(128 * 1024);
    expect(ctx.replyDeadlines.size).toBe(1);
    const o = await outcome;
    sweeper.stop();
    expect(o.end).toBe('eof');
    expect(o.bytes.length).toBe(REPLY);
  });
});
