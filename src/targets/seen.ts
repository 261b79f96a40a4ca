// The addresses a stream of targets has given already, so that each is probed
// once (masscan can list an address twice; two zmap runs into one pipe
// will). Memory is bounded: IPv4 addresses in an open-addressing table of
// 32-bit words (8 bytes per address at most), IPv6 ones as text; past
// MAX_SEEN addresses no new one is remembered, and a duplicate after that
// point is probed again (the caller says so once).

/** Distinct addresses remembered at most: 8,388,608 (a 64 MB table). */
export const MAX_SEEN = 1 << 23;

export class SeenSet {
  /** IPv4 addresses + 1 (0: empty slot); 0xffffffff is kept aside. */
  private table = new Uint32Array(1 << 12);
  private used = 0;
  private top = false;
  private readonly v6 = new Set<string>();

  constructor(private readonly max = MAX_SEEN) {}

  /** Addresses remembered. */
  get size(): number {
    return this.used + (this.top ? 1 : 0) + this.v6.size;
  }

  /** True when no more will be remembered. */
  get full(): boolean {
    return this.size >= this.max;
  }

  /** True when `ipv4` (a 32-bit number) was not seen before; remembers it while there is room. */
  addV4(ipv4: number): boolean {
    if (ipv4 === 0xffffffff) {
      if (this.top) return false;
      if (!this.full) this.top = true;
      return true;
    }
    const key = (ipv4 + 1) >>> 0;
    const mask = this.table.length - 1;
    let i = Math.imul(key, 0x9e3779b1) >>> 0;
    for (; ; i++) {
      const slot = this.table[i & mask] as number;
      if (slot === key) return false;
      if (slot === 0) break;
    }
    if (this.full) return true;
    this.table[i & mask] = key;
    this.used++;
    if (this.used * 2 > this.table.length) this.grow();
    return true;
  }

  /** The same for an IPv6 address in canonical text. */
  addV6(ipv6: string): boolean {
    if (this.v6.has(ipv6)) return false;
    if (!this.full) this.v6.add(ipv6);
    return true;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    const mask = this.table.length - 1;
    for (const key of old) {
      if (key === 0) continue;
      let i = Math.imul(key, 0x9e3779b1) >>> 0;
      while (this.table[i & mask] !== 0) i++;
      this.table[i & mask] = key;
    }
  }
}
