// What a found-log line must hold to be replayed: every field of a record
// with its type, so a line changed by hand (`"risks": "x"`, a numeric
// `cookie`) is an input error naming its line, never a crash later on.

import { type NodeEntry, type ScanRecord, SEVERITIES, STATUSES } from '../record.js';

type Check = (v: unknown) => boolean;

const str: Check = (v) => typeof v === 'string';
const int: Check = (v) => Number.isSafeInteger(v);
const port: Check = (v) => int(v) && (v as number) >= 0 && (v as number) <= 65535;
const bool: Check = (v) => typeof v === 'boolean';
const orNull =
  (c: Check): Check =>
  (v) =>
    v === null || c(v);
const optional =
  (c: Check): Check =>
  (v) =>
    v === undefined || c(v);
const strings: Check = (v) => Array.isArray(v) && v.every(str);
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    values.includes(v as string);

/** Every field of a node and its type. */
const NODE: Record<keyof NodeEntry, Check> = {
  name: str,
  port,
  type: optional(str),
  protocol: optional(int),
  highestVersion: optional(int),
  lowestVersion: optional(int),
  nodeInfoError: optional(str),
  distReachable: optional(bool),
  distStatus: optional(str),
  fullName: optional(str),
  flags: optional(str),
  cookie: optional(str),
  cookieError: optional(str),
};

const fits = (value: unknown, shape: Record<string, Check>): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.entries(shape).every(([key, check]) => check((value as Record<string, unknown>)[key]));

/** Every field of a record (but its timestamp, checked as a date) and its type. */
const RECORD: Record<Exclude<keyof ScanRecord, 'timestamp'>, Check> = {
  ip: str,
  port,
  protocol: (v) => v === 'tcp',
  status: oneOf(STATUSES),
  epmdPort: orNull(port),
  nodes: (v) => Array.isArray(v) && v.every((n) => fits(n, NODE)),
  truncated: bool,
  error: orNull(str),
  hostname: str,
  hostnameSource: str,
  asn: orNull(int),
  geo: str,
  region: str,
  city: str,
  naics: orNull(int),
  sector: str,
  severity: oneOf(SEVERITIES),
  tag: (v) => v === 'epmd',
  risks: optional(strings),
  followUpsCut: optional(strings),
};

/** The record a found-log line holds, or null when a field is missing or of the wrong type. */
export function recordOf(value: unknown): ScanRecord | null {
  if (!fits(value, RECORD)) return null;
  const r = value as Record<string, unknown>;
  const time = new Date(typeof r.timestamp === 'string' ? r.timestamp : Number.NaN);
  if (Number.isNaN(time.getTime())) return null;
  return { ...(r as unknown as ScanRecord), timestamp: time };
}
