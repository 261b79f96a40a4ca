// Targets as they arrive: a list read from a pipe, a FIFO or stdin (zmap's
// and masscan's output) is probed line by line, while the writer is still
// writing, instead of after it has closed. Positions are given in order of
// arrival; each address is probed once (seen.ts); the excludes, read whole
// beforehand, are checked address by address. The total is not known until
// the stream ends, so progress counts what was read so far.
//
// A stream cannot be shuffled, sharded or resumed here (those need the whole
// list): the CLI refuses them with the way to get the same at the source.
// A bad line does not stop the stream: it is named on stderr and skipped.

import { TargetSpecError } from '../errors.js';
import { grouped } from '../text/numbers.js';
import type { HostLookup, SourcedSpec } from './expand.js';
import { formatIP, hostPort, parseIP } from './ip.js';
import type { OrderedTarget } from './order.js';
import { SeenSet } from './seen.js';
import type { TargetSpace } from './space.js';
import { parseSpec } from './spec.js';

/** One range line of a stream may hold this many addresses at most (a /8 of IPv4). */
export const MAX_STREAM_RANGE = 2 ** 24;

export interface StreamOptions {
  ports: number[];
  /** Never probed (--exclude, --exclude-file), expanded beforehand. */
  exclude: TargetSpace | null;
  lookup: HostLookup;
  localAddresses: () => string[];
  /** A line for stderr (a skipped line, the dedupe table full). */
  warn: (line: string) => void;
}

export class TargetStream {
  /** Targets (address x port) given out so far. */
  read = 0;
  /** Lines skipped as bad. */
  skipped = 0;
  /** Addresses that came from hostnames, with that name. */
  readonly names = new Map<string, string>();
  private readonly seen = new SeenSet();
  private noted = false;

  constructor(
    private readonly specs: AsyncIterable<string | SourcedSpec>,
    readonly options: StreamOptions,
  ) {}

  /** Every target, in order of arrival, once; positions count from 0. */
  async *targets(): AsyncGenerator<OrderedTarget> {
    const { ports } = this.options;
    for await (const item of this.specs) {
      const { spec, origin } = typeof item === 'string' ? { spec: item, origin: undefined } : item;
      for (const ip of await this.addressesOf(spec, origin)) {
        if (!this.fresh(ip)) continue;
        for (const port of ports) yield { position: this.read++, ip, port };
      }
    }
  }

  /** The addresses of one spec (a name is looked up); a bad spec is named and skipped. */
  private async addressesOf(spec: string, origin: string | undefined): Promise<Iterable<string>> {
    try {
      const parsed = parseSpec(spec, origin);
      if (parsed.kind === 'local') return this.options.localAddresses();
      if (parsed.kind === 'hostname') return await this.resolve(parsed.hostname, origin);
      const { family, start, end } = parsed.range;
      if (end - start + 1n > BigInt(MAX_STREAM_RANGE)) {
        throw new TargetSpecError(
          spec,
          'a range of a stream holds 16,777,216 addresses at most',
          origin,
        );
      }
      return span(family, start, end);
    } catch (error) {
      if (!(error instanceof TargetSpecError)) throw error;
      this.skipped++;
      this.options.warn(`skipped: ${error.message}`);
      return [];
    }
  }

  private async resolve(hostname: string, origin: string | undefined): Promise<string[]> {
    let addresses: string[];
    try {
      addresses = await this.options.lookup(hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new TargetSpecError(hostname, `the hostname does not resolve (${code})`, origin);
    }
    for (const a of addresses) if (!this.names.has(a)) this.names.set(a, hostname);
    return addresses;
  }

  /** Not excluded, and not given before. */
  private fresh(text: string): boolean {
    const ip = parseIP(text);
    if (!ip) return false;
    if (this.options.exclude?.has(ip.family, ip.value)) return false;
    const isNew =
      ip.family === 4 ? this.seen.addV4(Number(ip.value)) : this.seen.addV6(formatIP(6, ip.value));
    if (this.seen.full && !this.noted) {
      this.noted = true;
      this.options.warn(
        `note: ${grouped(this.seen.size)} distinct addresses read: later duplicates in the stream are no longer caught`,
      );
    }
    return isNew;
  }
}

/** --list-targets of a stream: each target's line as it arrives (`address:port` with several ports). */
export async function* listStream(stream: TargetStream): AsyncGenerator<string> {
  const several = stream.options.ports.length > 1;
  for await (const t of stream.targets())
    yield several ? `${hostPort(t.ip, t.port)}\n` : `${t.ip}\n`;
}

function* span(family: 4 | 6, start: bigint, end: bigint): Generator<string> {
  for (let v = start; v <= end; v++) yield formatIP(family, v);
}
