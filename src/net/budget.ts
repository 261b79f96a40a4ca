// The descriptor budget: every socket a thread opens (a NAMES probe, a
// PORT_PLEASE2, a dist check, a handshake, a cookie check) is taken from one
// count, so the sockets of a scan never outnumber the descriptors the process
// may open. The pool starts a target only while the budget has room; a
// follow-up waits for room (it never holds a socket while it waits), and gets
// it before any new target does, so an exposure's follow-ups finish.
//
// The count is kept below the open-file limit (limits.ts reserves what the
// reports, the checkpoint, the resolver and --metrics need), and EMFILE on a
// socket anyway (another process's descriptors count against ENFILE, a
// library opened a file) lowers it: the budget learns the real limit.

/** Sockets one thread may have open at once. */
export class SocketBudget {
  /** Sockets open (or promised to a waiter). */
  private used = 0;
  private readonly waiters: (() => void)[] = [];
  /** Called when a socket is given back while the pool was held back by the budget. */
  private onRoom: (() => void) | null = null;
  private starved = false;

  constructor(private most: number) {
    this.most = Math.max(1, Math.floor(most));
  }

  /** The budget now (lowered by EMFILE). */
  get limit(): number {
    return this.most;
  }

  get inUse(): number {
    return this.used;
  }

  /** True when a new target may start: room left, and no follow-up waiting for it. */
  hasRoom(): boolean {
    if (this.used < this.most && this.waiters.length === 0) return true;
    this.starved = true;
    return false;
  }

  /** The pool's wake-up when room comes back. */
  whenRoom(callback: (() => void) | null): void {
    this.onRoom = callback;
  }

  /** Counts a socket about to be opened (the caller checked hasRoom, or holds a grant). */
  take(): void {
    this.used++;
  }

  /** A socket closed: its room goes to the first waiting follow-up, or back to the pool. */
  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next();
      return;
    }
    this.used--;
    if (this.starved && this.used < this.most) {
      this.starved = false;
      this.onRoom?.();
    }
  }

  /**
   * Waits for room and takes it (resolves true), or resolves false as soon as
   * `stop` does. The socket opened with it must not take() again.
   */
  acquire(stop?: Promise<void>): Promise<boolean> {
    if (this.used < this.most && this.waiters.length === 0) {
      this.used++;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const grant = (): void => resolve(true);
      this.waiters.push(grant);
      void stop?.then(() => {
        const i = this.waiters.indexOf(grant);
        if (i === -1) return;
        this.waiters.splice(i, 1);
        resolve(false);
      });
    });
  }

  /**
   * The system refused a socket (EMFILE, ENFILE), which has been released
   * since: there are fewer descriptors than counted. The budget shrinks to
   * what is open now (at least one).
   */
  refused(): void {
    this.most = Math.max(1, Math.min(this.most, this.used));
  }
}

/** System error codes that mean "no descriptor left", not "this target failed". */
export function outOfDescriptors(errno: string | null | undefined): boolean {
  return errno === 'EMFILE' || errno === 'ENFILE' || errno === 'ENOBUFS';
}
