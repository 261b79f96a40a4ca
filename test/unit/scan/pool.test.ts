import { describe, expect, it } from 'vitest';
import {
  Batches,
  drainPool,
  runPool,
  slotted,
  type Task,
  type TaskSlot,
  Wakeup,
} from '../../../src/scan/pool.js';

/** Tasks finish when the test says so; records how many ran at once. */
function controlled() {
  const pending: (() => void)[] = [];
  let running = 0;
  let peak = 0;
  const task = (n: number, slot: TaskSlot<number>): Task => {
    running++;
    peak = Math.max(peak, running);
    let finished = false;
    pending.push(() => {
      if (finished) return;
      finished = true;
      running--;
      slot.done(n);
    });
    return { abort: () => undefined };
  };
  return { task, start: slotted(task), pending, peak: () => peak, running: () => running };
}

function* counting(limit: number, pulled: { n: number }) {
  for (let i = 0; i < limit; i++) {
    pulled.n++;
    yield i;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('drainPool', () => {
  it('ends at once on a signal that has fired already, starting nothing', async () => {
    const c = controlled();
    const taken: number[] = [];
    const ac = new AbortController();
    ac.abort();
    await drainPool(counting(10, { n: 0 }), c.start, { concurrency: 2, signal: ac.signal }, (r) =>
      taken.push(r),
    );
    expect(taken).toEqual([]);
    expect(c.peak()).toBe(0);
  });
});

describe('runPool', () => {
  it('yields nothing for a task that ends with null, and its slot is free again', async () => {
    // Odd items end with null (their result went elsewhere, as a plain record's does).
    const start = slotted<number, number | null>((n, slot) => {
      queueMicrotask(() => slot.done(n % 2 === 1 ? null : n));
      return { abort: () => undefined };
    });
    const results: number[] = [];
    for await (const r of runPool(counting(100, { n: 0 }), start, { concurrency: 2 })) {
      results.push(r);
    }
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i));
    const taken: number[] = [];
    await drainPool(counting(10, { n: 0 }), start, { concurrency: 1 }, (r) => taken.push(r));
    expect(taken).toEqual([0, 2, 4, 6, 8]);
  });
  it('pulls an item only when a slot is free', async () => {
    const c = controlled();
    const pulled = { n: 0 };
    const it = runPool(counting(1_000_000, pulled), c.start, { concurrency: 3 })[
      Symbol.asyncIterator
    ]();
    const first = it.next();
    await tick();
    expect(pulled.n).toBe(3);
    c.pending.shift()?.();
    expect((await first).value).toBe(0);
    await tick();
    expect(pulled.n).toBe(4);
    expect(c.peak()).toBe(3);
    await it.return?.(undefined);
  });
  it('yields one result per item and never exceeds the concurrency', async () => {
    const c = controlled();
    const results: number[] = [];
    const run = (async () => {
      for await (const r of runPool(counting(50, { n: 0 }), c.start, { concurrency: 4 }))
        results.push(r);
    })();
    for (let i = 0; i < 200 && results.length < 50; i++) {
      await tick();
      // finish in a scrambled order
      c.pending.splice(c.pending.length > 1 ? 1 : 0, 1)[0]?.();
    }
    await run;
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(c.peak()).toBe(4);
  });
  it('stops pulling on abort and keeps what finishes within the grace period', async () => {
    const c = controlled();
    const pulled = { n: 0 };
    const ac = new AbortController();
    const results: number[] = [];
    const run = (async () => {
      for await (const r of runPool(counting(100, pulled), c.start, {
        concurrency: 2,
        signal: ac.signal,
      }))
        results.push(r);
    })();
    await tick();
    ac.abort();
    c.pending.shift()?.();
    c.pending.shift()?.();
    await run;
    expect(pulled.n).toBe(2);
    expect(results.sort()).toEqual([0, 1]);
  });
  it('aborts what is still in flight after the grace period, without a result', async () => {
    const aborted: number[] = [];
    const start = slotted<number, number>((n) => ({ abort: () => aborted.push(n) }));
    const ac = new AbortController();
    const results: number[] = [];
    const run = (async () => {
      for await (const r of runPool([1, 2, 3], start, {
        concurrency: 2,
        signal: ac.signal,
        graceMs: 5,
      }))
        results.push(r);
    })();
    await tick();
    ac.abort();
    await run;
    expect(aborted.sort()).toEqual([1, 2]);
    expect(results).toEqual([]);
  });
  it('surfaces an error thrown by the source and aborts in-flight work', async () => {
    const aborted: number[] = [];
    const start = slotted<number, number>((n) => ({ abort: () => aborted.push(n) }));
    function* bad() {
      yield 1;
      throw new Error('source broke');
    }
    await expect(async () => {
      for await (const _ of runPool(bad(), start, { concurrency: 5 })) {
        // nothing
      }
    }).rejects.toThrow('source broke');
    expect(aborted).toEqual([1]);
  });
  it('pulls from async sources one at a time', async () => {
    async function* gen() {
      for (let i = 0; i < 5; i++) yield i;
    }
    const start = slotted<number, number>((n, slot) => {
      setImmediate(() => slot.done(n * 10));
      return { abort: () => undefined };
    });
    const out: number[] = [];
    for await (const r of runPool(gen(), start, { concurrency: 2 })) out.push(r);
    expect(out.sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40]);
  });
  it('spaces starts out with --rate (counted, not timed: no more than the burst at once)', async () => {
    const c = controlled();
    const pulled = { n: 0 };
    const it = runPool(counting(1000, pulled), c.start, { concurrency: 100, rate: 20 })[
      Symbol.asyncIterator
    ]();
    const first = it.next();
    await tick();
    // A bucket of rate 20/s holds 5 ms of it, at least one token (the next is 50 ms away),
    // though 100 slots are free.
    expect(c.running()).toBe(1);
    // The second item waits in the pool for its token (one pulled ahead at most).
    expect(pulled.n).toBe(2);
    c.pending.shift()?.();
    await first;
    await it.return?.(undefined);
  });
  it('drains batches: every item once, a batch asked for only when the last one is used up', async () => {
    const c = controlled();
    let asked = 0;
    let returned = false;
    async function* batches() {
      try {
        for (let b = 0; b < 4; b++) {
          asked++;
          yield Array.from({ length: 5 }, (_, i) => b * 5 + i);
        }
      } finally {
        returned = true;
      }
    }
    const results: number[] = [];
    const run = (async () => {
      for await (const r of runPool(new Batches(batches()), c.start, { concurrency: 3 }))
        results.push(r);
    })();
    await tick();
    expect(asked).toBe(1);
    expect(c.running()).toBe(3);
    for (let i = 0; i < 200 && results.length < 20; i++) {
      await tick();
      c.pending.shift()?.();
    }
    await run;
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(asked).toBe(4);
    expect(c.peak()).toBe(3);
    expect(returned).toBe(true);
  });
  it('closes the batch source when the consumer stops early', async () => {
    let returned = false;
    async function* batches() {
      try {
        for (let b = 0; b < 1000; b++) yield [b];
      } finally {
        returned = true;
      }
    }
    const start = slotted<number, number>((n, slot) => {
      setImmediate(() => slot.done(n));
      return { abort: () => undefined };
    });
    const out: number[] = [];
    for await (const r of runPool(new Batches(batches()), start, { concurrency: 2 })) {
      out.push(r);
      if (out.length === 3) break;
    }
    expect(out).toHaveLength(3);
    expect(returned).toBe(true);
  });
});

describe('runPool with a reply budget', () => {
  it('starts no task while held results are over the budget, and starts again once the consumer takes them', async () => {
    const { ReplyMemory } = await import('../../../src/net/reply-memory.js');
    const memory = new ReplyMemory(1000, 100);
    const pending: (() => void)[] = [];
    let started = 0;
    // Each task's result holds 600 bytes of reply until the consumer takes it.
    const start = slotted<number, number>((n, slot) => {
      started++;
      pending.push(() => {
        memory.hold(600);
        slot.done(n);
      });
      return { abort: () => undefined };
    });
    const taken: number[] = [];
    const it = runPool(counting(10, { n: 0 }), start, {
      concurrency: 2,
      memory,
      taken: (n) => {
        taken.push(n);
        memory.free(600);
      },
    })[Symbol.asyncIterator]();
    const first = it.next();
    await tick();
    expect(started).toBe(2);
    // Results finish before the consumer runs. One held (600): under the budget, a slot refills.
    pending.shift()?.();
    expect(started).toBe(3);
    // Two held (1,200): over the budget. Two slots fall free, yet nothing starts.
    pending.shift()?.();
    pending.shift()?.();
    expect(memory.inUse).toBe(1800);
    expect(started).toBe(3);
    // The consumer takes one: 1,200 still held, still nothing starts.
    expect((await first).value).toBe(0);
    await tick();
    expect(taken).toEqual([0]);
    expect(started).toBe(3);
    // It takes another: 600, under the budget: both slots fill again.
    await it.next();
    await tick();
    expect(taken).toHaveLength(2);
    expect(memory.inUse).toBe(600);
    expect(started).toBe(5);
    await it.return?.(undefined);
  });

  it('holds new tasks back while results wait and the budget is full, without a consumer', async () => {
    const { ReplyMemory } = await import('../../../src/net/reply-memory.js');
    const memory = new ReplyMemory(1000, 100);
    let started = 0;
    const start = slotted<number, number>((n, slot) => {
      started++;
      memory.hold(400);
      slot.done(n);
      return { abort: () => undefined };
    });
    const it = runPool(counting(100, { n: 0 }), start, {
      concurrency: 50,
      memory,
      taken: () => memory.free(400),
    })[Symbol.asyncIterator]();
    const first = it.next();
    await tick();
    // 3 x 400 passes the budget (the third started at 800); the consumer's first take
    // (back to 800) lets exactly one more start.
    expect((await first).value).toBe(0);
    expect(started).toBe(4);
    await tick();
    expect(started).toBe(4);
    await it.next();
    await tick();
    expect(started).toBe(5);
    await it.return?.(undefined);
  });
});

describe('drainPool', () => {
  it('hands each result over as its task ends, within the concurrency, and ends with the last', async () => {
    const c = controlled();
    const taken: number[] = [];
    let ended = false;
    const run = drainPool(counting(20, { n: 0 }), c.start, { concurrency: 3 }, (r) => {
      // Synchronously: the slot is still counted while its result is taken.
      expect(c.running()).toBeLessThanOrEqual(3);
      taken.push(r);
    }).then(() => {
      ended = true;
    });
    for (let i = 0; i < 100 && taken.length < 20; i++) {
      await tick();
      const before = taken.length;
      c.pending.shift()?.();
      // No queue, no promise per result: taken in the same call that ended it.
      expect(taken.length).toBe(before + 1);
      expect(ended).toBe(false);
    }
    await run;
    expect(ended).toBe(true);
    expect(taken).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(c.peak()).toBe(3);
  });
  it('rejects with the source error and aborts what is in flight', async () => {
    const aborted: number[] = [];
    const start = slotted<number, number>((n) => ({ abort: () => aborted.push(n) }));
    function* bad() {
      yield 1;
      yield 2;
      throw new Error('source broke');
    }
    await expect(drainPool(bad(), start, { concurrency: 5 }, () => undefined)).rejects.toThrow(
      'source broke',
    );
    expect(aborted.sort()).toEqual([1, 2]);
  });
  it('after the signal, starts nothing more and aborts the rest after the grace period', async () => {
    const c = controlled();
    const aborted: number[] = [];
    const start = slotted<number, number>((n, slot) => {
      const task = c.task(n, slot);
      return { abort: () => aborted.push(n) && task.abort() };
    });
    const ac = new AbortController();
    const pulled = { n: 0 };
    const taken: number[] = [];
    const run = drainPool(
      counting(1000, pulled),
      start,
      { concurrency: 4, signal: ac.signal, graceMs: 1 },
      (r) => taken.push(r),
    );
    await tick();
    c.pending.shift()?.();
    ac.abort();
    await run;
    expect(taken).toEqual([0]);
    expect(pulled.n).toBe(5);
    expect(aborted.sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('Wakeup', () => {
  it('wakes the waiter at the next notify, and drops a notify nobody waits for', async () => {
    const w = new Wakeup();
    w.notify();
    let woke = false;
    const waiting = w.wait().then(() => {
      woke = true;
    });
    await tick();
    expect(woke).toBe(false);
    w.notify();
    await waiting;
    expect(woke).toBe(true);
  });
});
