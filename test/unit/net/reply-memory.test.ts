import { describe, expect, it } from 'vitest';
import { type MemoryReader, ReplyMemory } from '../../../src/net/reply-memory.js';

/** A reader that records whether the budget has it stopped. */
function reader(): MemoryReader & { paused: boolean } {
  return {
    held: 0,
    admitted: false,
    paused: false,
    pauseReading() {
      this.paused = true;
    },
    resumeReading() {
      this.paused = false;
    },
  };
}

describe('ReplyMemory', () => {
  it('says once, the first time it is tight, that this is a sweep of large replies', () => {
    let told = 0;
    const m = new ReplyMemory(1000, 400, () => told++);
    const [a, b] = [reader(), reader()];
    m.connected(a);
    m.connected(b);
    m.received(a, 900);
    expect(told).toBe(0);
    m.received(b, 200);
    expect(told).toBe(1);
    m.finished(a);
    m.finished(b);
    const c = reader();
    m.connected(c);
    m.received(c, 1000);
    expect(told).toBe(1);
  });

  it('under the budget, stops nobody and lets targets start', () => {
    const m = new ReplyMemory(1000, 400);
    const a = reader();
    const b = reader();
    m.connected(a);
    m.connected(b);
    expect(m.received(a, 300)).toBe(true);
    expect(m.received(b, 300)).toBe(true);
    expect([a.paused, b.paused, m.tight, m.hasRoom()]).toEqual([false, false, false, true]);
    expect(m.inUse).toBe(600);
    m.finished(a);
    m.finished(b);
    expect(m.inUse).toBe(0);
  });

  it('at the budget, stops every reader but the oldest with bytes, and starts no target', () => {
    const m = new ReplyMemory(1000, 600);
    const [a, b, idle] = [reader(), reader(), reader()];
    for (const r of [a, b, idle]) m.connected(r);
    expect(m.received(a, 500)).toBe(true);
    // b's bytes reach the budget: everyone stops, then a (the oldest with bytes) goes on.
    expect(m.received(b, 500)).toBe(false);
    expect([a.paused, b.paused, idle.paused]).toEqual([false, true, true]);
    expect([a.admitted, b.admitted, idle.admitted]).toEqual([true, false, false]);
    expect(m.hasRoom()).toBe(false);
    expect(m.waiting).toBe(2);
    // A reader connecting now waits too, before it reads anything.
    const late = reader();
    m.connected(late);
    expect(late.paused).toBe(true);
    expect(m.waiting).toBe(3);
    // a finishes: b (bytes) goes on before idle and late (none), and only as many as fit.
    m.finished(a);
    expect([b.admitted, idle.admitted, late.admitted]).toEqual([true, false, false]);
    expect(m.inUse).toBe(600);
  });

  it('lets a waiting reader on when nothing else can free room (no deadlock)', () => {
    const m = new ReplyMemory(1000, 400);
    const [a, b] = [reader(), reader()];
    m.connected(a);
    m.connected(b);
    m.received(a, 600);
    // Over the budget with only waiting readers' bytes: the oldest with bytes goes on anyway.
    expect(m.received(b, 600)).toBe(false);
    expect(a.admitted && !a.paused).toBe(true);
    expect(b.paused).toBe(true);
    // It holds room for its whole reply (what it read counts within it).
    expect(a.held).toBe(600);
    // It finishes: its room goes back and b goes on.
    m.finished(a);
    expect(b.admitted && !b.paused).toBe(true);
    expect(m.inUse).toBe(600);
  });

  it('counts a record until the consumer takes it, then lets waiting readers on and the pool start again', () => {
    const m = new ReplyMemory(1000, 400);
    let woken = 0;
    m.whenRoom(() => woken++);
    const a = reader();
    m.connected(a);
    m.received(a, 900);
    // a's reply becomes a record waiting for the consumer, then a ends.
    m.hold(900);
    m.finished(a);
    expect(m.inUse).toBe(900);
    const b = reader();
    m.connected(b);
    expect(m.received(b, 200)).toBe(false);
    expect(b.paused).toBe(true);
    // A record waits: nothing is let on over the budget, nothing new starts.
    expect(b.admitted).toBe(false);
    expect(m.hasRoom()).toBe(false);
    expect(woken).toBe(0);
    m.free(900);
    expect(b.admitted && !b.paused).toBe(true);
    expect(m.inUse).toBe(400);
    expect(woken).toBe(1);
    expect(m.hasRoom()).toBe(true);
  });

  it('an admitted reader reads its whole reply without being stopped again', () => {
    const m = new ReplyMemory(1000, 400);
    const [a, b] = [reader(), reader()];
    m.connected(a);
    m.connected(b);
    m.received(a, 600);
    m.received(b, 600);
    expect(a.admitted).toBe(true);
    expect(m.received(a, 64)).toBe(true);
    expect(m.received(a, 64)).toBe(true);
    expect(m.inUse).toBe(1200);
  });

  it('a reader that ends while waiting gives back what it held and leaves the queue', () => {
    const m = new ReplyMemory(1000, 400);
    const [a, b, c] = [reader(), reader(), reader()];
    for (const r of [a, b, c]) m.connected(r);
    m.received(a, 600);
    m.received(b, 600);
    expect(m.waiting).toBe(2);
    m.finished(c);
    m.finished(b);
    expect(m.waiting).toBe(0);
    expect(m.inUse).toBe(600);
    m.finished(a);
    expect(m.inUse).toBe(0);
    expect(m.tight).toBe(false);
  });
});

describe("the README's reply budget", () => {
  it('states the budget the code has: 4 MiB per thread, or two --max-reply if more', async () => {
    const { readFileSync } = await import('node:fs');
    const { REPLY_BUDGET } = await import('../../../src/net/reply-memory.js');
    const { replyMemory } = await import('../../../src/scan/scan.js');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(REPLY_BUDGET).toBe(4 * 1024 * 1024);
    expect(readme).toContain('budget of 4 MiB per thread (or two replies of this size, if more)');
    expect(readme).toMatch(
      /a reply budget per thread\s+\(`src\/net\/reply-memory.ts`\), 4 MiB, or two `--max-reply`/,
    );
    const plan = (maxReply: number) => ({ maxReply }) as Parameters<typeof replyMemory>[0];
    expect(replyMemory(plan(65536)).capacity).toBe(4 * 1024 * 1024);
    expect(replyMemory(plan(65536)).perReply).toBe(65536);
    expect(replyMemory(plan(16 * 1024 * 1024)).capacity).toBe(32 * 1024 * 1024);
  });
});
