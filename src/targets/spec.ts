// One target spec (README "Targets") to an address range, or a hostname that
// still has to be resolved. Every rejection names the spec and what was expected.

import { TargetSpecError } from '../errors.js';
import { shown } from '../text/escape.js';
import { type Family, formatIP, formatIPv4, parseIP } from './ip.js';

/** An inclusive range of addresses of one family. */
export interface AddressRange {
  family: Family;
  start: bigint;
  end: bigint;
}

export type ParsedSpec =
  | { kind: 'range'; range: AddressRange }
  | { kind: 'hostname'; hostname: string }
  /** `@local`: every address of this machine's own interfaces. */
  | { kind: 'local' };

/** masscan -oL: `open tcp 4369 192.0.2.7 1700000000` (the address is what counts). */
const MASSCAN_LINE = /^open\s+tcp\s+\d{1,5}\s+(\S+)\s+\d+$/;

/** True for a masscan -oL `open` line, which holds spaces but is one spec. */
export function isMasscanLine(line: string): boolean {
  return MASSCAN_LINE.test(line.trim());
}

const HOSTNAME =
  /^(?=.{1,253}\.?$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;
const EXPECTED =
  'expected an IPv4/IPv6 address, a CIDR (192.0.2.0/24), a range (192.0.2.10-50), a hostname, a masscan -oL line or @local';

function parseCidr(spec: string, origin?: string): AddressRange {
  const slash = spec.indexOf('/');
  const addr = spec.slice(0, slash);
  const prefix = spec.slice(slash + 1);
  const ip = parseIP(addr);
  if (ip === null) {
    throw new TargetSpecError(
      spec,
      numericIPv4Form(addr) ?? `'${shown(addr)}' is not an IPv4 or IPv6 address`,
      origin,
    );
  }
  const max = ip.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    throw new TargetSpecError(spec, `the prefix length must be 0 to ${max}`, origin);
  }
  // The host bits of the address are ignored, as nmap and masscan do (192.0.2.7/24 is the /24).
  const hostBits = BigInt(max - Number(prefix));
  const start = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, start, end: start + (1n << hostBits) - 1n };
}

function parseRange(spec: string, dash: number, origin?: string): AddressRange {
  const left = spec.slice(0, dash);
  const right = spec.slice(dash + 1);
  const first = parseIP(left);
  if (first === null) throw new TargetSpecError(spec, EXPECTED, origin);
  let last = parseIP(right);
  if (last === null && first.family === 4 && /^\d{1,3}$/.test(right)) {
    // a.b.c.d-h: the end differs in the last octet only.
    const octet = Number(right);
    if (octet > 255) {
      throw new TargetSpecError(spec, `the last octet '${shown(right)}' must be 0 to 255`, origin);
    }
    last = { family: 4, value: (first.value & ~0xffn) | BigInt(octet) };
  }
  if (last === null || last.family !== first.family) {
    throw new TargetSpecError(
      spec,
      `the end '${shown(right)}' must be an address of the same family, or a last octet (192.0.2.10-50)`,
      origin,
    );
  }
  if (last.value < first.value) {
    throw new TargetSpecError(
      spec,
      `the range ends (${formatIP(last.family, last.value)}) before it starts`,
      origin,
    );
  }
  return { family: first.family, start: first.value, end: last.value };
}

/** One number of inet_aton's grammar: `0x` hex, `0` octal, or decimal. */
function atonNumber(part: string): number | null {
  let n: number;
  if (/^0x[0-9a-f]*$/i.test(part)) n = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  else if (/^0[0-7]*$/.test(part)) n = Number.parseInt(part, 8);
  else if (/^[1-9]\d*$/.test(part)) n = Number(part);
  else return null;
  return part.length > 40 ? null : n;
}

/** What inet_aton(3) makes of `text` (`127.1`, `0x7f000001`, `012.0.0.1`), or null. */
export function inetAton(text: string): number | null {
  const parts = text.split('.');
  if (parts.length > 4) return null;
  const nums = parts.map(atonNumber);
  if (nums.some((x) => x === null)) return null;
  const values = nums as number[];
  const last = values.pop() as number;
  if (values.some((v) => v > 255)) return null;
  if (last >= 2 ** (8 * (4 - values.length))) return null;
  let n = 0;
  for (const v of values) n = n * 256 + v;
  return n * 2 ** (8 * (4 - values.length)) + last;
}

/**
 * The rule for numeric IPv4 forms other than the dotted quad: text whose last
 * dot-separated label is a number (decimal, or `0x` hex) is an IPv4 address
 * (as in the WHATWG URL standard), never a hostname; only the canonical
 * `a.b.c.d` (0 to 255, no leading zeros) is accepted. Returns why `text` is
 * refused, or null when it is not such a form.
 */
export function numericIPv4Form(text: string): string | null {
  const last = text.replace(/\.$/, '').split('.').pop() ?? '';
  if (!/^(?:\d+|0x[0-9a-f]*)$/i.test(last)) return null;
  const value = inetAton(text.replace(/\.$/, ''));
  if (value === null) return 'not an IPv4 address (a.b.c.d: four numbers 0 to 255)';
  return `only the dotted quad a.b.c.d is accepted, not other numeric IPv4 forms (inet_aton reads this as ${formatIPv4(value)}; write that)`;
}

/** Parses one spec; `origin` (e.g. `targets.txt:12`) is named in errors. */
export function parseSpec(raw: string, origin?: string): ParsedSpec {
  const spec = raw.trim();
  if (spec === '') throw new TargetSpecError(raw, 'the target is empty', origin);
  if (spec === '@local') return { kind: 'local' };
  const masscan = MASSCAN_LINE.exec(spec);
  if (masscan) {
    const ip = parseIP(masscan[1] as string);
    if (!ip)
      throw new TargetSpecError(spec, 'the masscan line does not hold an IP address', origin);
    return { kind: 'range', range: { family: ip.family, start: ip.value, end: ip.value } };
  }
  if (spec.includes('/')) return { kind: 'range', range: parseCidr(spec, origin) };
  const ip = parseIP(spec);
  if (ip) return { kind: 'range', range: { family: ip.family, start: ip.value, end: ip.value } };
  const dash = spec.indexOf('-');
  if (dash > 0 && parseIP(spec.slice(0, dash)) !== null) {
    return { kind: 'range', range: parseRange(spec, dash, origin) };
  }
  if (spec.includes(':')) throw new TargetSpecError(spec, 'not an IPv6 address', origin);
  // Numeric IPv4 forms are addresses, never hostnames to resolve.
  const numeric = numericIPv4Form(spec) ?? (dash > 0 ? numericIPv4Form(spec.slice(0, dash)) : null);
  if (numeric !== null) throw new TargetSpecError(spec, numeric, origin);
  if (HOSTNAME.test(spec) && /[a-z_]/i.test(spec)) return { kind: 'hostname', hostname: spec };
  throw new TargetSpecError(spec, EXPECTED, origin);
}
