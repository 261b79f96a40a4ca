// Specs to one target space: every spec is checked before any name is looked
// up, and every name is resolved before the first probe, so a bad target
// stops the run before a packet is sent. Specs may stream in (files, stdin):
// they are folded into compact ranges as they come.

import { lookup as dnsLookup } from 'node:dns/promises';
import pLimit from 'p-limit';
import { TargetSpecError, UsageError } from '../errors.js';
import { formatIP, parseIP } from './ip.js';
import { localAddresses } from './local.js';
import { RangeCollector, TargetSpace } from './space.js';
import { parseSpec } from './spec.js';

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

export type SpecSource = Iterable<string | SourcedSpec> | AsyncIterable<string | SourcedSpec>;

export interface ExpandOptions {
  lookup?: HostLookup;
  /** Never probed, never listed (`--exclude`, `--exclude-file`). */
  exclude?: SpecSource;
  /** Addresses `@local` stands for (default: this machine's interfaces). */
  localAddresses?: () => string[];
}

/** More IPv6 addresses than this is refused: it is not a scan that can finish. */
export const MAX_IPV6_TARGETS = 2 ** 32;

/** Hostname lookups in flight at once while expanding a list. */
const LOOKUP_CONCURRENCY = 16;

/** Folds specs into a collector; returns the hostnames still to resolve. */
async function collect(
  specs: SpecSource,
  into: RangeCollector,
  options: ExpandOptions,
  loopback?: Set<string>,
): Promise<SourcedSpec[]> {
  const names: SourcedSpec[] = [];
  for await (const item of specs) {
    const { spec, origin } = typeof item === 'string' ? { spec: item, origin: undefined } : item;
    const parsed = parseSpec(spec, origin);
    if (parsed.kind === 'range') into.add(parsed.range);
    else if (parsed.kind === 'hostname') names.push({ spec: parsed.hostname, origin });
    else addAll((options.localAddresses ?? localAddresses)(), into, loopback);
  }
  return names;
}

/** 127.0.0.0/8 and ::1: only this machine reaches them. */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || /^127\./.test(ip);
}

function addAll(addresses: string[], into: RangeCollector, loopback?: Set<string>): void {
  for (const a of addresses) {
    const ip = parseIP(a);
    if (!ip) continue;
    into.add({ family: ip.family, start: ip.value, end: ip.value });
    const text = formatIP(ip.family, ip.value);
    if (isLoopback(text)) loopback?.add(text);
  }
}

/** Resolves hostnames with bounded concurrency; the first failure in input order is thrown. */
async function resolveAll(
  names: SourcedSpec[],
  into: RangeCollector,
  lookup: HostLookup,
  named?: Map<string, string>,
) {
  const limit = pLimit(LOOKUP_CONCURRENCY);
  const results = await Promise.all(
    names.map(({ spec, origin }) =>
      limit(async () => {
        try {
          const addresses = await lookup(spec);
          if (addresses.length === 0) {
            return new TargetSpecError(spec, 'the hostname has no A or AAAA address', origin);
          }
          return addresses;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          return new TargetSpecError(spec, `the hostname does not resolve (${code})`, origin);
        }
      }),
    ),
  );
  for (const r of results) if (r instanceof Error) throw r;
  results.forEach((r, i) => {
    for (const a of r as string[]) {
      const ip = parseIP(a);
      if (!ip) continue;
      into.add({ family: ip.family, start: ip.value, end: ip.value });
      if (!named) continue;
      // The first name given for an address is the one reported.
      const text = formatIP(ip.family, ip.value);
      if (!named.has(text)) named.set(text, (names[i] as SourcedSpec).spec);
    }
  });
}

/** Parses, resolves and merges specs, minus the excludes, into one target space. */
export async function expandTargets(
  specs: SpecSource,
  options: ExpandOptions = {},
): Promise<TargetSpace> {
  const include = new RangeCollector();
  const exclude = new RangeCollector();
  const loopback = new Set<string>();
  const names = await collect(specs, include, options, loopback);
  const excludedNames = options.exclude ? await collect(options.exclude, exclude, options) : [];
  const lookup = options.lookup ?? systemLookup;
  const named = new Map<string, string>();
  await resolveAll(names, include, lookup, named);
  await resolveAll(excludedNames, exclude, lookup);
  const space = TargetSpace.subtracting(include.finish(), exclude.finish());
  for (const [ip, name] of named) space.names.set(ip, name);
  for (const ip of loopback) space.localOnly.add(ip);
  if (space.count6 > MAX_IPV6_TARGETS) {
    throw new UsageError(
      `the IPv6 targets hold ${space.exactCount6()} addresses, more than the ${MAX_IPV6_TARGETS} a scan can cover`,
      'IPv6 space is scanned from hit lists, not swept: give the addresses you know of (e.g. from DNS or your inventory) with -iL, or prefixes of /96 or longer',
    );
  }
  return space;
}
