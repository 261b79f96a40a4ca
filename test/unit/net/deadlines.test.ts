import { describe, expect, it } from 'vitest';
import {
  DeadlineList,
  EXPIRE_PER_TURN,
  type Expirable,
  Sweeper,
} from '../../../src/net/deadlines.js';

function entry(expired: Expirable[]): Expirable {
  const e: Expirable = { deadline: 0, expire: () => expired.push(e) };
  return e;
}

describe('DeadlineList', () => {
  it('expires the entries due, oldest first, at most as many as asked', () => {
    const list = new DeadlineList(100);
    const expired: Expirable[] = [];
    const entries = Array.from({ length: 5 }, () => entry(expired));
    for (const [i, e] of entries.entries()) list.add(e, i);
    expect(list.sweep(102, 2)).toBe(2);
    expect(expired).toEqual(entries.slice(0, 2));
    // Due: the third (deadline 102); not yet: the fourth and fifth.
    expect(list.sweep(102)).toBe(1);
    expect(list.size).toBe(2);
    list.delete(entries[3] as Expirable);
    expect(list.sweep(1000)).toBe(1);
    expect(expired).toEqual([...entries.slice(0, 3), entries[4]]);
  });
});

describe('Sweeper', () => {
  it('expires what is due in slices of EXPIRE_PER_TURN, one turn of the event loop each', async () => {
    const sweeper = new Sweeper(5);
    const list = sweeper.list(0);
    const n = 2 * EXPIRE_PER_TURN + 10;
    const perTurn: number[] = [];
    let count = 0;
    const expired: Expirable[] = [];
    for (let i = 0; i < n; i++) {
      const e: Expirable = {
        deadline: 0,
        expire: () => {
          expired.push(e);
          // Microtasks run when the turn that expires entries ends.
          if (count++ === 0) {
            queueMicrotask(() => {
              perTurn.push(count);
              count = 0;
            });
          }
        },
      };
      list.add(e, performance.now());
    }
    sweeper.arm();
    for (let i = 0; i < 1000 && expired.length < n; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    sweeper.stop();
    expect(expired.length).toBe(n);
    expect(perTurn).toEqual([EXPIRE_PER_TURN, EXPIRE_PER_TURN, 10]);
  });
});
