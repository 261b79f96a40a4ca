// -S, --source-ip: the local address every connection binds before it
// connects, one per address family. An IPv4 target gets the IPv4 source, an
// IPv6 target the IPv6 one; a family without a source is left to the system.
// Plain data, so worker threads are given it with the other probe settings.

import { networkInterfaces } from 'node:os';
import { UsageError } from '../errors.js';
import { formatIP, parseIP } from '../targets/ip.js';
import { shown } from '../text/escape.js';

/** The source address for each family, in canonical text. */
export interface SourceAddresses {
  v4?: string;
  v6?: string;
}

/** The source to bind for a target (canonical address text: a colon means IPv6). */
export function sourceFor(host: string, sources: SourceAddresses | undefined): string | undefined {
  if (!sources) return undefined;
  return host.includes(':') ? sources.v6 : sources.v4;
}

/**
 * Adds one `-S` value: an IPv4 or IPv6 address, at most one per family. A
 * second address of a family already given is an error naming both.
 */
export function addSourceIp(value: string, previous: SourceAddresses = {}): SourceAddresses {
  const ip = parseIP(value.trim());
  if (ip === null) {
    throw new UsageError(`'${shown(value)}' is not an IPv4 or IPv6 address`);
  }
  const text = formatIP(ip.family, ip.value);
  const key = ip.family === 4 ? 'v4' : 'v6';
  const before = previous[key];
  if (before !== undefined && before !== text) {
    throw new UsageError(
      `two IPv${ip.family} source addresses, '${before}' and '${text}': give at most one per family`,
    );
  }
  return { ...previous, [key]: text };
}

/** True when this machine lets a socket bind `address` (a UDP bind: no packet is sent). */
export async function canBind(address: string): Promise<boolean> {
  // Loaded here: only -S asks, and a scan without it need not load node:dgram.
  const { createSocket } = await import('node:dgram');
  return new Promise((resolve) => {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address, port: 0, exclusive: true }, () => {
      socket.close();
      resolve(true);
    });
  });
}

/** An address of one of this machine's interfaces, as os.networkInterfaces() lists it. */
export interface Interface {
  name: string;
  address: string;
  /** `address/prefix`, or null where the system does not say. */
  cidr: string | null;
  internal: boolean;
}

/** This machine's interface addresses. */
export function localInterfaces(): Interface[] {
  return Object.entries(networkInterfaces()).flatMap(([name, list]) =>
    (list ?? []).map((a) => ({ name, address: a.address, cidr: a.cidr, internal: a.internal })),
  );
}

/** An interface's IPv4 subnet: its network address, its broadcast address, its prefix. */
function subnet(i: Interface): { network: bigint; broadcast: bigint; prefix: number } | null {
  const [addr, bits] = (i.cidr ?? '').split('/');
  const ip = parseIP(addr ?? '');
  const prefix = Number(bits);
  if (ip?.family !== 4 || !(prefix >= 0 && prefix <= 30)) return null;
  const host = (1n << BigInt(32 - prefix)) - 1n;
  return { network: ip.value & ~host, broadcast: ip.value | host, prefix };
}

/** Why `address` cannot be a connection's source here, or null when it can. */
export function sourceProblem(address: string, interfaces: readonly Interface[]): string | null {
  const ip = parseIP(address);
  if (!ip) return 'not an IP address';
  const { family, value } = ip;
  if (value === 0n) return 'the unspecified address, not an address of one interface';
  if (family === 4 && value >= 0xe0000000n && value <= 0xefffffffn) return 'a multicast address';
  if (family === 6 && value >> 120n === 0xffn) return 'a multicast address';
  if (family === 4 && value === 0xffffffffn) return 'the broadcast address';
  if (family === 6 && value >> 118n === 0x3fan) {
    return 'an IPv6 link-local address (not supported: it needs an interface scope)';
  }
  for (const i of interfaces) {
    const net = subnet(i);
    if (net && (value === net.broadcast || value === net.network)) {
      const which = value === net.broadcast ? 'broadcast' : 'network';
      return `the ${which} address of ${i.name}'s ${formatIP(4, net.network)}/${net.prefix}`;
    }
  }
  const assigned = interfaces.some((i) => {
    const own = parseIP(i.address);
    if (own?.family === family && own.value === value) return true;
    // Loopback's whole subnet is this machine's (127.0.0.2 binds), but nothing else is.
    const net = i.internal ? subnet(i) : null;
    return net !== null && family === 4 && value > net.network && value < net.broadcast;
  });
  return assigned ? null : "not an address of this machine's interfaces";
}

/**
 * Refuses, before the first packet, a source address that is not a unicast
 * address of this machine: multicast, broadcast (a subnet's too), the
 * unspecified address, or one no interface holds (exit 2, naming it). A
 * bind to it is tried too (no packet is sent).
 */
export async function checkLocalSources(
  sources: SourceAddresses,
  interfaces: readonly Interface[],
  bindable: (address: string) => Promise<boolean> = canBind,
): Promise<void> {
  for (const address of [sources.v4, sources.v6]) {
    if (address === undefined) continue;
    const problem =
      sourceProblem(address, interfaces) ??
      ((await bindable(address)) ? null : 'an address this machine cannot bind');
    if (problem === null) continue;
    throw new UsageError(
      `--source-ip '${address}' is ${problem}: a connection's source must be a unicast address of this machine`,
      'give an address that `ip addr` lists (IPv6 link-local addresses are not supported)',
    );
  }
}
