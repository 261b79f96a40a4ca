// The one record shape that flows from the probe to every formatter: an
// envelope every report reads (the target, the probe kind, status, whether
// it is an exposure, severity, error, enrichment) around the probe kind's
// own detail, which only that kind's code looks into (src/probes/<kind>/).

/**
 * The statuses any probe kind can end with before its protocol is reached
 * (zgrab2's connection-level statuses). A kind adds its own (src/probes/registry.ts
 * lists them all, STATUSES).
 */
export const CONNECTION_STATUSES = ['refused', 'timeout', 'unreachable', 'error'] as const;

/**
 * An exposure on a loopback address of `@local`, which only this machine
 * reaches: reported, but not an exposure (no CSV row, no gate).
 */
export const LOCAL_ONLY = 'local-only';

/** Shadowserver's severity levels, most serious first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export type Severity = (typeof SEVERITIES)[number];

/**
 * The error codes epmd-scan itself names, zgrab2-style: why a probe did not
 * end cleanly at EOF. Set together with any status; on an exposure it says why the
 * reply may be incomplete (`node-names-skipped`: node lines whose names epmd
 * would never register were skipped). `bad-frame`, `unknown-status`: a reply
 * to --probe dist's send_name that is no distribution status; `no-challenge`,
 * `bad-challenge`: a node's status without a readable challenge after it.
 * `error` is an unnamed system error,
 * `aborted` a probe the scan's stop cut short.
 */
export const ERROR_CODES = [
  'connection-refused',
  'connection-timeout',
  'io-timeout',
  'connection-reset',
  'host-unreachable',
  'network-unreachable',
  'reply-truncated',
  'empty-reply',
  'short-reply',
  'bad-header',
  'no-node-lines',
  'node-names-skipped',
  'bad-frame',
  'unknown-status',
  'no-challenge',
  'bad-challenge',
  'error',
  'aborted',
] as const;

/** One of ERROR_CODES, or another system error code in lower case (`eperm`). */
export type ErrorCode = (typeof ERROR_CODES)[number] | (string & {});

/**
 * The result of probing one (ip, port): the envelope, and `detail`, what the
 * probe kind learnt (its own shape; null when there was nothing to learn,
 * e.g. a refused connection).
 */
export interface ScanRecord<D extends object = object> {
  /** When the probe ended. */
  timestamp: Date;
  ip: string;
  port: number;
  protocol: 'tcp';
  /** The probe kind that made it (`names`: the EPMD NAMES request). */
  probe: string;
  /** One of its kind's statuses, a connection status, or `local-only` (STATUSES lists them). */
  status: string;
  /** An exposure: what the reports list, the gate judges and enrichment fills. */
  exposed: boolean;
  error: ErrorCode | null;
  /** The exposure's severity (the scan's, raised by what follow-ups learnt). */
  severity: Severity;
  /** Why this exposure is dangerous, in words (from the follow-ups). */
  risks?: string[];
  /** Follow-ups that --follow-up-timeout cut short. */
  followUpsCut?: string[];
  hostname: string;
  hostnameSource: string;
  asn: number | null;
  geo: string;
  region: string;
  city: string;
  naics: number | null;
  sector: string;
  /** What the probe kind learnt; null when it learnt nothing. */
  detail: D | null;
}

/** The context columns before enrichment fills them: all empty. */
export const UNENRICHED = {
  hostname: '',
  hostnameSource: '',
  asn: null,
  geo: '',
  region: '',
  city: '',
  naics: null,
  sector: '',
} as const satisfies Partial<ScanRecord>;

/** A record with every enrichment field empty; not an exposure unless `fields` says so. */
export function newRecord<D extends object = object>(
  fields: Pick<ScanRecord<D>, 'ip' | 'port' | 'status' | 'probe' | 'severity'> &
    Partial<ScanRecord<D>>,
): ScanRecord<D> {
  // Field by field, not spread: a record is made per target of a sweep, and
  // copying two objects' properties was 1% of a worker's time. Same fields,
  // same order, same defaults as { timestamp, protocol, exposed, error,
  // ...UNENRICHED, detail, ...fields }.
  const record: ScanRecord<D> = {
    timestamp: fields.timestamp ?? new Date(),
    protocol: 'tcp',
    exposed: fields.exposed ?? false,
    error: fields.error ?? null,
    hostname: fields.hostname ?? UNENRICHED.hostname,
    hostnameSource: fields.hostnameSource ?? UNENRICHED.hostnameSource,
    asn: fields.asn ?? UNENRICHED.asn,
    geo: fields.geo ?? UNENRICHED.geo,
    region: fields.region ?? UNENRICHED.region,
    city: fields.city ?? UNENRICHED.city,
    naics: fields.naics ?? UNENRICHED.naics,
    sector: fields.sector ?? UNENRICHED.sector,
    detail: fields.detail ?? null,
    ip: fields.ip,
    port: fields.port,
    probe: fields.probe,
    status: fields.status,
    severity: fields.severity,
  };
  if (fields.risks !== undefined) record.risks = fields.risks;
  if (fields.followUpsCut !== undefined) record.followUpsCut = fields.followUpsCut;
  return record;
}

/** True when no enrichment column of the record has been filled. */
export function isUnenriched(r: ScanRecord): boolean {
  for (const key in UNENRICHED) {
    if (r[key as keyof typeof UNENRICHED] !== UNENRICHED[key as keyof typeof UNENRICHED]) {
      return false;
    }
  }
  return true;
}
