// Specs to one target space: every spec is checked before any name is looked
// up, and every name is resolved before the first probe, so a bad target
// stops the run before a packet is sent.

import { lookup as dnsLookup } from 'node:dns/promises';
import { TargetSpecError, UsageError } from '../errors.js';
import { parseIP } from './ip.js';
import { TargetSpace } from './space.js';
import { type AddressRange, parseSpec } from './spec.js';

/** Resolves a hostname to all of its addresses (A and AAAA). */
export type HostLookup = (hostname: string) => Promise<string[]>;

export const systemLookup: HostLookup = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => a.address);
};

/** A spec together with where it came from, for error messages. */
export interface SourcedSpec {
  spec: string;
  /** e.g. `targets.txt:12`; absent for command-line arguments. */
  origin?: string;
}

export interface ExpandOptions {
  lookup?: HostLookup;
}

/** More IPv6 addresses than this is refused: it is not a scan that can finish. */
export const MAX_IPV6_TARGETS = 1n << 32n;

/** Parses, resolves and merges specs into one target space. */
export async function expandTargets(
  specs: Iterable<string | SourcedSpec>,
  options: ExpandOptions = {},
): Promise<TargetSpace> {
  const ranges: AddressRange[] = [];
  const names: SourcedSpec[] = [];
  for (const item of specs) {
    const { spec, origin } = typeof item === 'string' ? { spec: item, origin: undefined } : item;
    const parsed = parseSpec(spec, origin);
    if (parsed.kind === 'range') ranges.push(parsed.range);
    else names.push({ spec: parsed.hostname, origin });
  }
  const lookup = options.lookup ?? systemLookup;
  for (const { spec, origin } of names) {
    let addresses: string[];
    try {
      addresses = await lookup(spec);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new TargetSpecError(spec, `the hostname does not resolve (${code})`, origin);
    }
    if (addresses.length === 0) {
      throw new TargetSpecError(spec, 'the hostname has no A or AAAA address', origin);
    }
    for (const a of addresses) {
      const ip = parseIP(a);
      if (ip) ranges.push({ family: ip.family, start: ip.value, end: ip.value });
    }
  }
  const space = new TargetSpace(ranges);
  let v6 = 0n;
  for (const s of space.v6) v6 += s.end - s.start + 1n;
  if (v6 > MAX_IPV6_TARGETS) {
    throw new UsageError(
      `the IPv6 targets hold ${v6} addresses, more than the ${MAX_IPV6_TARGETS} a scan can cover`,
      'IPv6 space is scanned from hit lists, not swept: give the addresses you know of (e.g. from DNS or your inventory) with -iL, or a prefix of /96 or longer',
    );
  }
  return space;
}
