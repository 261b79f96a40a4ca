// --rate: a token bucket shared by every connection a scan opens (probes and
// the follow-up connections of --node-info, --check-dist, --handshake and
// --check-cookies).

/** The longest burst of starts, in ms of the rate. */
export const BURST_MS = 5;

/**
 * Allows `rate` starts a second, with bursts of BURST_MS at most: paced SYNs
 * get through where a burst of thousands overflows a queue on the way (a
 * refusing /16 at --rate 100000 with bursts of a tenth of a second lost
 * hundreds of RSTs to the veth's backlog, and took 8 s instead of 1.5 s).
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly burst: number;

  constructor(private readonly rate: number) {
    this.burst = Math.max(1, (rate * BURST_MS) / 1000);
    this.tokens = this.burst;
  }

  /** Takes a token, or returns how many ms until one is available. */
  take(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }

  /** Whether a token is available now (none is taken). */
  ready(): boolean {
    this.refill();
    return this.tokens >= 1;
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }

  /**
   * Resolves true when a token has been taken, or false as soon as `stop`
   * resolves (no timer is left behind to hold the process).
   */
  async acquire(stop?: Promise<void>): Promise<boolean> {
    let stopped = false;
    void stop?.then(() => {
      stopped = true;
    });
    for (let wait = this.take(); wait > 0; wait = this.take()) {
      let timer: NodeJS.Timeout | undefined;
      const slept = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, wait);
      });
      await (stop ? Promise.race([slept, stop]) : slept);
      clearTimeout(timer);
      if (stopped) return false;
    }
    return true;
  }
}
