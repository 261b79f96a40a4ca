// The reply budget: the bytes of replies one thread holds at once, read but
// not yet written out. Without it a sweep of large replies held every reply
// at once: 4,096 EPMDs answering 64 KiB each all connect together, their
// bytes arrive faster than they are parsed, and their records wait for the
// writer (1 GB peak for 256 MB of replies, npm run bench).
//
// What counts: the bytes a probe has read (charged as they arrive), and the
// reply behind each record that waits for the consumer (held until the pool
// hands it over). While the count is under the budget every probe reads
// freely and nothing else happens: a sweep of small replies never notices.
// Once it reaches the budget the budget is "tight": every probe still
// reading stops reading (the kernel holds the rest of its bytes, and TCP
// slows the peer), no new target starts, and probes are let on one at a
// time, those that hold bytes first, each with room reserved for a whole
// reply (--max-reply), so a probe let on always finishes and gives its room
// back. A probe waiting here is not timed out for it (the wait is ours).

/** A probe as the budget sees it. */
export interface MemoryReader {
  /** Budget it holds: bytes read, or room reserved once let on. */
  held: number;
  /** Let on while tight, with room for a whole reply: never stopped again. */
  admitted: boolean;
  pauseReading(): void;
  resumeReading(): void;
}

/**
 * The budget per thread: bytes of replies read and not yet written. 64
 * replies of 64 KiB. Measured on 4,096 EPMDs x 64 KiB (npm run bench, one
 * thread): 32 MiB peaked at 360 MB, 8 MiB at 230 MB, 4 MiB at 190 MB, and
 * smaller budgets were no slower (parsing, not reading, is the work).
 */
export const REPLY_BUDGET = 4 * 1024 * 1024;

export class ReplyMemory {
  private used = 0;
  /** Of `used`, the replies behind records waiting for the consumer. */
  private records = 0;
  private admittedCount = 0;
  /** Connected probes reading freely (not admitted, not waiting). */
  private readonly loose = new Set<MemoryReader>();
  /** Stopped while tight, holding bytes: let on first. */
  private readonly partial = new Set<MemoryReader>();
  /** Stopped while tight before their first byte. */
  private readonly fresh = new Set<MemoryReader>();
  private onRoom: (() => void) | null = null;
  private starved = false;

  constructor(
    readonly capacity: number = REPLY_BUDGET,
    /** Room one reply may take (--max-reply). */
    readonly perReply: number = 64 * 1024,
    /** Called once, the first time the budget is tight: a sweep of large replies. */
    private onTight: (() => void) | null = null,
  ) {}

  /** Bytes counted now. */
  get inUse(): number {
    return this.used;
  }

  /** Probes stopped, waiting for room. */
  get waiting(): number {
    return this.partial.size + this.fresh.size;
  }

  get tight(): boolean {
    return this.waiting > 0;
  }

  /** True when a new target may start: no probe waits and the count is under the budget. */
  hasRoom(): boolean {
    if (!this.tight && this.used < this.capacity) return true;
    this.starved = true;
    return false;
  }

  /** The pool's wake-up when room comes back. */
  whenRoom(callback: (() => void) | null): void {
    this.onRoom = callback;
  }

  /** A probe connected and is about to read: while tight it waits (it is stopped here). */
  connected(r: MemoryReader): void {
    if (this.tight) {
      r.pauseReading();
      this.fresh.add(r);
    } else this.loose.add(r);
  }

  /**
   * A probe read `n` bytes. False: it must stop reading (the budget is
   * tight now; it was stopped here and waits for room).
   */
  received(r: MemoryReader, n: number): boolean {
    if (r.admitted) return true; // within its reservation
    r.held += n;
    this.used += n;
    if (this.used < this.capacity && !this.tight) return true;
    this.tighten();
    this.pump();
    return r.admitted;
  }

  /** A probe ended: what it held goes back. */
  finished(r: MemoryReader): void {
    this.loose.delete(r);
    this.partial.delete(r);
    this.fresh.delete(r);
    if (r.admitted) this.admittedCount--;
    r.admitted = false;
    this.used -= r.held;
    r.held = 0;
    this.pump();
  }

  /** A record waits for the consumer; its reply's `bytes` stay counted until free(). */
  hold(bytes: number): void {
    this.used += bytes;
    this.records += bytes;
  }

  /** The consumer took a record held with hold(). */
  free(bytes: number): void {
    if (bytes <= 0) return;
    this.used -= bytes;
    this.records -= bytes;
    this.pump();
  }

  /** Every probe reading freely stops and waits: those with bytes go first. */
  private tighten(): void {
    const first = this.onTight;
    this.onTight = null;
    first?.();
    for (const r of this.loose) {
      r.pauseReading();
      (r.held > 0 ? this.partial : this.fresh).add(r);
    }
    this.loose.clear();
  }

  /**
   * Lets waiting probes on while their whole replies fit. When nothing is
   * let on and no record waits, one goes anyway: the bytes held are then
   * all waiting probes', and only letting one finish frees any.
   */
  private pump(): void {
    while (this.waiting > 0) {
      const queue = this.partial.size > 0 ? this.partial : this.fresh;
      const r = queue.values().next().value as MemoryReader;
      const need = Math.max(0, this.perReply - r.held);
      const stuck = this.admittedCount === 0 && this.records === 0;
      if (this.used + need > this.capacity && !stuck) return;
      queue.delete(r);
      this.used += need;
      r.held += need;
      r.admitted = true;
      this.admittedCount++;
      r.resumeReading();
    }
    if (this.starved && this.used < this.capacity) {
      this.starved = false;
      this.onRoom?.();
    }
  }
}
