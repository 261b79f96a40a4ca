// What --probe dist learns of a distribution port: the detail of its records
// (what the port said to send_name, and from the node's challenge its full
// name, version and flags; what --check-cookies found), and its statuses.

import { newRecord, type ScanRecord } from '../../record.js';
import type { CookieOutcome, HandshakeOutcome } from '../outcomes.js';

/** The kind's name: `--probe dist`, NDJSON's `probe`. */
export const DIST = 'dist';

/**
 * Its own statuses, exposures first: the port speaks Erlang distribution, or
 * TLS (distribution over TLS, `-proto_dist inet_tls`); or something else
 * answered (AMQP, HTTP, a close without a byte).
 */
export const DIST_STATUSES = [
  { name: 'erlang-distribution', exposed: true },
  { name: 'tls', exposed: true },
  { name: 'not-erlang-distribution', exposed: false },
] as const;
export type DistPortStatus = (typeof DIST_STATUSES)[number]['name'];

/** The ports probed when -p is absent: RabbitMQ's 25672, EMQX's 4370-4375, CouchDB's first 9100-9105. */
export const DIST_PORTS: readonly number[] = [
  25672,
  ...Array.from({ length: 6 }, (_, i) => 4370 + i),
  ...Array.from({ length: 6 }, (_, i) => 9100 + i),
];

/** The detail of a dist record whose port answered as Erlang distribution or TLS. */
export interface DistDetail {
  /** What the port said to send_name: the node's status, or tls. */
  handshake: HandshakeOutcome;
  /** From the node's challenge (after ok): its full name, e.g. rabbit@internal-host; escaped text. */
  fullName: string | null;
  /** The challenge's distribution version: 6, or 5 (before OTP 23). */
  version: 5 | 6 | null;
  /** The node's capability flags, hex. */
  flags: string | null;
  /** The node left DFLAG_PUBLISHED out of its flags: it was started -hidden. */
  hidden: boolean | null;
  /** --check-cookies: accepted (which cookie), rejected, inconclusive (why) or not tried. */
  cookie: CookieOutcome | null;
}

/** A record of the dist probe. */
export type DistRecord = ScanRecord<DistDetail>;

/** The dist detail of a record, or null (another kind's record, or no distribution port answered). */
export function distDetail(r: ScanRecord): DistDetail | null {
  return r.probe === DIST ? (r.detail as DistDetail | null) : null;
}

const EXPOSED = new Set<string>(DIST_STATUSES.filter((s) => s.exposed).map((s) => s.name));

/** A dist record: an exposure when the status is one of the kind's exposed ones. */
export function distRecord(
  fields: Pick<ScanRecord, 'ip' | 'port' | 'status' | 'severity'> &
    Partial<Omit<DistRecord, 'probe'>>,
): DistRecord {
  return newRecord<DistDetail>({ exposed: EXPOSED.has(fields.status), ...fields, probe: DIST });
}

const nullOr = (v: unknown, type: string): boolean => v === null || typeof v === type;

/** Whether a value read back (a found-log line) has the shape of a DistDetail. */
export function isDistDetail(value: unknown): value is DistDetail {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Partial<DistDetail>;
  return (
    typeof d.handshake === 'object' &&
    d.handshake !== null &&
    typeof d.handshake.outcome === 'string' &&
    nullOr(d.fullName, 'string') &&
    (d.version === null || d.version === 5 || d.version === 6) &&
    nullOr(d.flags, 'string') &&
    nullOr(d.hidden, 'boolean') &&
    (d.cookie === null || (typeof d.cookie === 'object' && typeof d.cookie?.outcome === 'string'))
  );
}
