// What the EPMD NAMES probe learns: the detail of its records (the EPMD's
// own port and the nodes it lists, with what the follow-ups learnt of each),
// and its statuses.

import { newRecord, type ScanRecord } from '../../record.js';
import { COOKIE_OUTCOMES, type CookieOutcome, type HandshakeOutcome } from '../outcomes.js';

/** The kind's name: `--probe names`, NDJSON's `probe`. */
export const NAMES = 'names';

/**
 * Its own statuses, the exposure first: `epmd` (the reply proved an EPMD:
 * a valid header), `not-epmd` (something else answered).
 */
export const NAMES_STATUSES = ['epmd', 'not-epmd'] as const;

/** The follow-ups for each listed node, by the names `follow_ups_cut` uses. */
export const FOLLOW_UPS = ['node-info', 'check-dist', 'handshake', 'check-cookies'] as const;
export type FollowUp = (typeof FOLLOW_UPS)[number];

/** A node listed by the EPMD, with what the follow-ups learnt of it. */
export interface NodeEntry {
  /** Safe text: controls, invalid UTF-8 and `\` are written as `\xNN`. */
  name: string;
  port: number;
  /** --node-info (PORT2_RESP): 'normal' (77), 'hidden' (72, a C-node) or unknown-<byte>. */
  type?: string;
  /** --node-info: 0 is TCP/IPv4. */
  protocol?: number;
  highestVersion?: number;
  lowestVersion?: number;
  /** --node-info: why PORT2_RESP could not be read. */
  nodeInfoError?: string;
  /** --check-dist (or a handshake attempt): a TCP connection to the node's port succeeded. */
  distReachable?: boolean;
  /** --handshake: the status the node sent, `tls`, or why there was none. */
  handshake?: HandshakeOutcome;
  /** --handshake: the node's full name from its challenge, e.g. rabbit@internal-host. */
  fullName?: string;
  /** --handshake: the node's capability flags, hex. */
  flags?: string;
  /** --check-cookies: accepted (which cookie), rejected, inconclusive (why) or not tried. */
  cookie?: CookieOutcome;
}

/** The detail of a NAMES record whose reply proved an EPMD. */
export interface NamesDetail {
  /** The port epmd reports for itself (its header). */
  epmdPort: number;
  nodes: NodeEntry[];
  /** The reply hit --max-reply and was not read to its end. */
  truncated: boolean;
}

/** A record of the NAMES probe. */
export type NamesRecord = ScanRecord<NamesDetail>;

/** The NAMES detail of a record, or null (another kind's record, or no EPMD answered). */
export function namesDetail(r: ScanRecord): NamesDetail | null {
  return r.probe === NAMES ? (r.detail as NamesDetail | null) : null;
}

/** The nodes of a NAMES record (none for any other record). */
export function nodesOf(r: ScanRecord): NodeEntry[] {
  return namesDetail(r)?.nodes ?? [];
}

/**
 * A NAMES record: an exposure when `status` is epmd; the detail when given
 * (a reply that proved an EPMD). For the probe, and for tests and tools
 * that make records by hand.
 */
export function namesRecord(
  fields: Pick<ScanRecord, 'ip' | 'port' | 'status' | 'severity'> &
    Partial<Omit<ScanRecord<NamesDetail>, 'probe'>>,
): NamesRecord {
  return newRecord<NamesDetail>({ exposed: fields.status === 'epmd', ...fields, probe: NAMES });
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const int: Check = (v) => Number.isSafeInteger(v);
const port: Check = (v) => int(v) && (v as number) >= 0 && (v as number) <= 65535;
const optional =
  (c: Check): Check =>
  (v) =>
    v === undefined || c(v);
const fits = (value: unknown, shape: Record<string, Check>): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.entries(shape).every(([key, check]) => check((value as Record<string, unknown>)[key]));

/** A handshake outcome, by its tag. */
const handshake: Check = (v) =>
  fits(v, { outcome: (o) => o === 'status' || o === 'tls' || o === 'failed' }) &&
  ((v as HandshakeOutcome).outcome !== 'status' || str((v as { status: unknown }).status)) &&
  ((v as HandshakeOutcome).outcome !== 'failed' || str((v as { error: unknown }).error));

/** A cookie outcome, by its tag. */
const cookie: Check = (v) => {
  if (!fits(v, { outcome: (o) => typeof o === 'string' && o in COOKIE_OUTCOMES })) return false;
  const c = v as CookieOutcome;
  if (c.outcome === 'accepted') return str(c.cookie);
  return c.outcome !== 'inconclusive' || str(c.error);
};

/** Every field of a node and its type. */
const NODE: Record<keyof NodeEntry, Check> = {
  name: str,
  port,
  type: optional(str),
  protocol: optional(int),
  highestVersion: optional(int),
  lowestVersion: optional(int),
  nodeInfoError: optional(str),
  distReachable: optional((v) => typeof v === 'boolean'),
  handshake: optional(handshake),
  fullName: optional(str),
  flags: optional(str),
  cookie: optional(cookie),
};

/** Whether a value read back (a found-log line) is a NamesDetail, every field of its type. */
export function isNamesDetail(value: unknown): value is NamesDetail {
  return fits(value, {
    epmdPort: port,
    truncated: (v) => typeof v === 'boolean',
    nodes: (v) => Array.isArray(v) && v.every((n) => fits(n, NODE)),
  });
}
