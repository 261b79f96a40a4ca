// One timer for every in-flight probe instead of one timer per socket.
//
// A DeadlineList holds entries that all share one duration, added as they
// start, so their deadlines are in insertion order: a sweep walks from the
// oldest entry and stops at the first that has not expired. Adding, removing
// and sweeping are O(1) per entry.

/** Something that must be stopped when its deadline passes. */
export interface Expirable {
  deadline: number;
  expire(): void;
}

/**
 * Entries of one duration, oldest first. An unordered list (`ordered` false)
 * takes entries with deadlines of their own, in any order, and its sweep
 * looks at each of them: for the few entries that live past a first stage
 * (a probe that connected), not for every probe.
 */
export class DeadlineList {
  private readonly items = new Set<Expirable>();
  constructor(
    readonly duration: number,
    readonly ordered = true,
  ) {}

  get size(): number {
    return this.items.size;
  }

  add(item: Expirable, now: number): void {
    item.deadline = now + this.duration;
    this.items.add(item);
  }

  /** Adds an entry whose deadline is set already (an unordered list only). */
  addAt(item: Expirable, deadline: number): void {
    item.deadline = deadline;
    this.items.add(item);
  }

  delete(item: Expirable): void {
    this.items.delete(item);
  }

  /**
   * Expires the entries whose deadline is at or before `now`, at most
   * `most` of them; returns how many it expired.
   */
  sweep(now: number, most = Number.POSITIVE_INFINITY): number {
    let expired = 0;
    for (const item of this.items) {
      if (expired >= most) break;
      if (item.deadline > now) {
        if (this.ordered) break;
        continue;
      }
      this.items.delete(item);
      item.expire();
      expired++;
    }
    return expired;
  }
}

/**
 * Entries expired in one turn of the event loop at most. A silent sweep's
 * probes all time out together; expired in one go, their thousands of
 * records waited in a queue for the consumer, long enough to be promoted
 * to the old generation (a dropping /18: 6 MB more heap at its end). In
 * slices, each one's records are taken before the next slice is made.
 */
export const EXPIRE_PER_TURN = 256;

/** Sweeps a few lists on one interval while any of them holds an entry. */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  /** More entries are due than one turn expires: the rest follow at the next turn. */
  private more: NodeJS.Immediate | null = null;
  private readonly lists: DeadlineList[] = [];

  constructor(private readonly tickMs: number) {}

  /** A new list of entries that all last `duration` ms (unordered: see DeadlineList). */
  list(duration: number, ordered = true): DeadlineList {
    const list = new DeadlineList(duration, ordered);
    this.lists.push(list);
    return list;
  }

  /** Call after adding entries: starts the interval if it is not running. */
  arm(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    // In-flight sockets keep the process alive; the sweep itself must not.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.more !== null) clearImmediate(this.more);
    this.more = null;
  }

  private tick(): void {
    if (this.more !== null) return;
    const now = performance.now();
    let pending = 0;
    let left = EXPIRE_PER_TURN;
    for (const list of this.lists) {
      left -= list.sweep(now, left);
      pending += list.size;
    }
    if (pending === 0) this.stop();
    else if (left === 0) {
      this.more = setImmediate(() => {
        this.more = null;
        this.tick();
      });
    }
  }
}

/** A tick fine enough for the shortest deadline and cheap for long ones. */
export function tickFor(...durations: number[]): number {
  const shortest = Math.min(...durations);
  return Math.max(5, Math.min(100, Math.floor(shortest / 10)));
}
