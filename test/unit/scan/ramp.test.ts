import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/net/token-bucket.js';
import { drainPool, type PoolOptions, type StartTask, slotted } from '../../../src/scan/pool.js';
import {
  eventLoopBusyness,
  RAMP_BUSY,
  RAMP_GROWTH,
  RAMP_START,
  Ramp,
} from '../../../src/scan/ramp.js';

describe('Ramp', () => {
  it('starts at RAMP_START, or at the ceiling when that is lower', () => {
    expect(new Ramp(100_000, () => 0).limit).toBe(RAMP_START);
    expect(new Ramp(10, () => 0).limit).toBe(10);
    expect(new Ramp(10, () => 0).full).toBe(true);
  });
  it('grows only when the slots held it back and the thread had time to spare', () => {
    let busy = 0;
    const ramp = new Ramp(1_000_000, () => busy, 8);
    // Not starved: no growth, however idle.
    expect(ramp.tick()).toBe(false);
    expect(ramp.limit).toBe(8);
    ramp.starve();
    busy = RAMP_BUSY;
    // Starved but busy: more in flight would not help.
    expect(ramp.tick()).toBe(false);
    expect(ramp.limit).toBe(8);
    // The starvation of that interval is forgotten.
    busy = 0.2;
    expect(ramp.tick()).toBe(false);
    ramp.starve();
    expect(ramp.tick()).toBe(true);
    expect(ramp.limit).toBe(8 * RAMP_GROWTH);
  });
  it('never passes its ceiling', () => {
    const ramp = new Ramp(100, () => 0, 30);
    for (let i = 0; i < 5; i++) {
      ramp.starve();
      ramp.tick();
    }
    expect(ramp.limit).toBe(100);
    expect(ramp.full).toBe(true);
  });
});

describe('eventLoopBusyness', () => {
  it('is near 1 while the thread computes and near 0 while it waits', async () => {
    const busyness = eventLoopBusyness();
    const until = performance.now() + 30;
    let spins = 0;
    while (performance.now() < until && spins < 1e9) spins++;
    expect(busyness()).toBeGreaterThan(0.8);
    // Long enough that the test runner's own work on this thread (it shares
    // the event loop) is a small part of the wait, even on a loaded machine.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(busyness()).toBeLessThan(0.5);
  });
});

/** Tasks that never end on their own; counts how many are running. */
function hanging() {
  let running = 0;
  const start = slotted<number, number>(() => {
    running++;
    return { abort: () => running-- };
  });
  return { start, running: () => running };
}

async function until(check: () => boolean): Promise<boolean> {
  // Bounded: 400 turns of the event loop with the ramp's timer in between.
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  return check();
}

function* numbers(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

/** A pool over endless numbers, stopped by the test (its tasks are aborted at once). */
function pooled(start: StartTask<number, number>, options: PoolOptions<number>) {
  const ac = new AbortController();
  const run = drainPool(
    numbers(10_000),
    start,
    { ...options, signal: ac.signal, graceMs: 0 },
    () => {
      throw new Error('no task ends on its own here');
    },
  );
  return {
    stop: async () => {
      ac.abort();
      await run;
    },
  };
}

describe('a pool with a ramp', () => {
  it('keeps a busy thread at its start, below the concurrency', async () => {
    const t = hanging();
    let ticks = 0;
    const ramp = new Ramp(1000, () => ++ticks && 1, 4);
    const pool = pooled(t.start, { concurrency: 1000, ramp });
    // The ramp has looked five times: nothing grew.
    expect(await until(() => ticks >= 5)).toBe(true);
    expect(t.running()).toBe(4);
    expect(ramp.limit).toBe(4);
    await pool.stop();
  });
  it('grows to the concurrency while the thread is idle and its slots are full', async () => {
    const t = hanging();
    const ramp = new Ramp(200, () => 0, 4);
    const pool = pooled(t.start, { concurrency: 200, ramp });
    expect(await until(() => t.running() === 200)).toBe(true);
    expect(ramp.limit).toBe(200);
    await pool.stop();
  });
  it('grows once the thread is idle, though no task has ended since it was busy', async () => {
    const t = hanging();
    let ticks = 0;
    // Busy at the first look (a scan starting), idle after.
    const ramp = new Ramp(64, () => (++ticks === 1 ? 1 : 0), 4);
    const pool = pooled(t.start, { concurrency: 64, ramp });
    expect(await until(() => t.running() === 64)).toBe(true);
    expect(ticks).toBeGreaterThan(1);
    await pool.stop();
  });
  it('does not grow when the rate, not the slots, holds the starts back', async () => {
    const t = hanging();
    let ticks = 0;
    const ramp = new Ramp(1000, () => ++ticks && 0, 4);
    // One start every 10 s: after the first burst token, the bucket is always empty.
    const bucket = new TokenBucket(0.1);
    const pool = pooled(t.start, { concurrency: 1000, ramp, bucket });
    expect(await until(() => ticks >= 5)).toBe(true);
    expect(t.running()).toBe(1);
    expect(ramp.limit).toBe(4);
    await pool.stop();
  });
});
