// IPv4 addresses as unsigned 32-bit numbers, IPv6 addresses as BigInt: the
// arithmetic that target ranges need, without materialising address lists.

import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

/** Dotted-quad to a number 0..2^32-1; null unless it is a canonical IPv4 address. */
export function parseIPv4(s: string): number | null {
  if (!isIPv4(s)) return null; // rejects leading zeros, out-of-range octets, short forms
  let n = 0;
  for (const part of s.split('.')) n = n * 256 + Number(part);
  return n;
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Any textual IPv6 form (with `::` or an embedded IPv4 tail) to a 128-bit BigInt. */
export function parseIPv6(s: string): bigint | null {
  if (s.includes('%') || !isIPv6(s)) return null;
  let text = s;
  // An embedded IPv4 tail stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups =
    right === undefined
      ? leftGroups
      : [...leftGroups, ...Array<string>(missing).fill('0'), ...rightGroups];
  if (groups.length !== 8) return null;
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  return n;
}

/** RFC 5952 text: lower case, longest run of zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
export function formatIPv6(n: bigint): string {
  if (n >> 32n === 0xffffn) return `::ffff:${formatIPv4(Number(n & 0xffffffffn))}`;
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

/** Parses either family. */
export function parseIP(s: string): { family: Family; value: bigint } | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return { family: 4, value: BigInt(v4) };
  const v6 = parseIPv6(s);
  if (v6 !== null) return { family: 6, value: v6 };
  return null;
}

export function formatIP(family: Family, value: bigint): string {
  return family === 4 ? formatIPv4(Number(value)) : formatIPv6(value);
}

/** `ip:port`, with IPv6 in brackets (`[2001:db8::1]:4369`). */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
