// -S, --source-ip: the local address every connection binds before it
// connects, one per address family. An IPv4 target gets the IPv4 source, an
// IPv6 target the IPv6 one; a family without a source is left to the system.
// Plain data, so worker threads are given it with the other probe settings.

import { createSocket } from 'node:dgram';
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
export function canBind(address: string): Promise<boolean> {
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

/**
 * Refuses a source address that is not one of this machine's (a bind to it
 * would fail on every connection): checked before the first packet. An
 * address the interfaces do not list but the system binds (another address
 * of 127.0.0.0/8, say) is accepted.
 */
export async function checkLocalSources(
  sources: SourceAddresses,
  local: readonly string[],
  bindable: (address: string) => Promise<boolean> = canBind,
): Promise<void> {
  const mine = new Set<string>();
  for (const a of local) {
    const ip = parseIP(a);
    if (ip) mine.add(formatIP(ip.family, ip.value));
  }
  for (const address of [sources.v4, sources.v6]) {
    if (address === undefined || mine.has(address) || (await bindable(address))) continue;
    throw new UsageError(
      `--source-ip '${address}' is not an address of this machine's interfaces`,
      'give an address that `ip addr` lists (IPv6 link-local addresses are not supported)',
    );
  }
}
