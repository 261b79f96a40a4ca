// One target spec (CLI.md "Targets") to an address range, or a hostname that
// still has to be resolved. Every rejection names the spec and what was expected.

import IPCIDR from 'ip-cidr';
import { TargetSpecError } from '../errors.js';
import { type Family, formatIP, parseIP, parseIPv4 } from './ip.js';

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
    throw new TargetSpecError(spec, `'${addr}' is not an IPv4 or IPv6 address`, origin);
  }
  const max = ip.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    throw new TargetSpecError(spec, `the prefix length must be 0 to ${max}`, origin);
  }
  if (!IPCIDR.isValidCIDR(spec)) throw new TargetSpecError(spec, EXPECTED, origin);
  const cidr = new IPCIDR(spec);
  return {
    family: ip.family,
    start: BigInt(cidr.start<bigint>({ type: 'bigInteger' })),
    end: BigInt(cidr.end<bigint>({ type: 'bigInteger' })),
  };
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
      throw new TargetSpecError(spec, `the last octet '${right}' must be 0 to 255`, origin);
    }
    last = { family: 4, value: (first.value & ~0xffn) | BigInt(octet) };
  }
  if (last === null || last.family !== first.family) {
    throw new TargetSpecError(
      spec,
      `the end '${right}' must be an address of the same family, or a last octet (192.0.2.10-50)`,
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
  if (/^[\d.]+$/.test(spec)) {
    const hint =
      parseIPv4(spec) === null && spec.split('.').length === 4
        ? 'not an IPv4 address (four numbers 0 to 255, without leading zeros)'
        : 'not an IPv4 address (a.b.c.d)';
    throw new TargetSpecError(spec, hint, origin);
  }
  if (spec.includes(':')) throw new TargetSpecError(spec, 'not an IPv6 address', origin);
  if (HOSTNAME.test(spec) && /[a-z_]/i.test(spec)) return { kind: 'hostname', hostname: spec };
  throw new TargetSpecError(spec, EXPECTED, origin);
}
