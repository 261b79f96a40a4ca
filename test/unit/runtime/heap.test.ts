import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { compactHeap, TrimPolicy } from '../../../src/runtime/heap.js';

const MB = 1024 * 1024;

describe('the heap trimmer', () => {
  it('collects past the threshold, at every tick while collections free much', () => {
    const p = new TrimPolicy(8 * MB);
    expect(p.due(7 * MB)).toBe(false);
    expect(p.due(20 * MB)).toBe(true);
    expect(p.due(6 * MB)).toBe(false); // it freed 70%
    expect(p.due(9 * MB)).toBe(true);
  });
  it('a collection that frees little: not again until the heap has doubled', () => {
    const p = new TrimPolicy(32 * MB);
    expect(p.due(20 * MB)).toBe(false);
    expect(p.due(40 * MB)).toBe(true);
    // The collection left 35 MB live: the next is due past 70 MB, not at every tick.
    expect(p.due(35 * MB)).toBe(false);
    expect(p.due(50 * MB)).toBe(false);
    expect(p.due(69 * MB)).toBe(false);
    expect(p.due(71 * MB)).toBe(true);
  });
  it('a heap of live data is collected a few times as it grows, not at every tick', () => {
    const p = new TrimPolicy(8 * MB);
    let collections = 0;
    // 400 ticks (100 s at 250 ms) of a heap that only grows, to 400 MB.
    for (let tick = 1; tick <= 400; tick++) if (p.due(tick * MB)) collections++;
    expect(collections).toBeLessThanOrEqual(7);
    expect(collections).toBeGreaterThanOrEqual(4);
  });
  it('a collection judged at once: what the thread allocates after it does not count', () => {
    const p = new TrimPolicy(8 * MB);
    expect(p.due(9 * MB)).toBe(true);
    p.collected(5 * MB); // freed 44%: it paid
    // 2.5 MB promoted since: judged a tick later, 7.5 MB (83% of 9) would have
    // looked like a collection that freed little, and let the heap reach 15 MB.
    expect(p.due(7.5 * MB)).toBe(false);
    expect(p.due(8.5 * MB)).toBe(true);
    p.collected(8 * MB); // freed 6%: live data, the next waits for 16 MB
    expect(p.due(15 * MB)).toBe(false);
    expect(p.due(17 * MB)).toBe(true);
    p.collected(12 * MB); // freed 29%: paid, and the next comes at 18 MB (half as much again)
    expect(p.due(17 * MB)).toBe(false);
    expect(p.due(19 * MB)).toBe(true);
  });
  it('comes back down to the threshold when a collection frees the heap', () => {
    const p = new TrimPolicy(32 * MB);
    expect(p.due(200 * MB)).toBe(true);
    expect(p.due(10 * MB)).toBe(false);
    expect(p.due(33 * MB)).toBe(true);
  });
});

describe('compacting a worker heap before it probes', () => {
  it('frees what is no longer referenced, at once', () => {
    let garbage: unknown[] | null = Array.from({ length: 200_000 }, (_, i) => ({
      i,
      s: `target ${i}`,
    }));
    const held = getHeapStatistics().used_heap_size;
    expect(garbage.length).toBe(200_000);
    garbage = null;
    compactHeap();
    // 200,000 objects and strings are well over 8 MB; all of it is gone.
    expect(held - getHeapStatistics().used_heap_size).toBeGreaterThan(8 * MB);
  });
});
