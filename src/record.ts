// The one record shape that flows from the probe to every formatter.

/**
 * The closed set of outcomes of probing one target (the README's NDJSON
 * fields), in the order reports list them: the one list every module reads.
 * `local-only`: an EPMD on a loopback address of `@local`, which only this
 * machine reaches: reported, but not an exposure (no CSV row, no gate).
 */
export const STATUSES = [
  'epmd',
  'not-epmd',
  'refused',
  'timeout',
  'unreachable',
  'error',
  'local-only',
] as const;

/** The outcome of probing one target: one of STATUSES. */
export type Status = (typeof STATUSES)[number];

/** Shadowserver's severity levels, most serious first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export type Severity = (typeof SEVERITIES)[number];

/** Every exposure's severity unless --severity (or the scan's severity option) says otherwise. */
export const DEFAULT_SEVERITY: Severity = 'high';

/**
 * The error codes epmd-scan itself names, zgrab2-style: why a probe did not
 * end cleanly at EOF. Set together with any status; on `epmd` it says why the
 * reply may be incomplete (`node-names-skipped`: node lines whose names epmd
 * would never register were skipped). `error` is an unnamed system error,
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
  'error',
  'aborted',
] as const;

/** One of ERROR_CODES, or another system error code in lower case (`eperm`). */
export type ErrorCode = (typeof ERROR_CODES)[number] | (string & {});

/** A node listed by the EPMD, with any details later stages add. */
export interface NodeEntry {
  /** Safe text: controls, invalid UTF-8 and `\` are written as `\xNN`. */
  name: string;
  port: number;
  /** --node-info (PORT2_RESP): 'normal' (77) or 'hidden' (72, a C-node). */
  type?: string;
  /** --node-info: 0 is TCP/IPv4. */
  protocol?: number;
  highestVersion?: number;
  lowestVersion?: number;
  /** --node-info: why PORT2_RESP could not be read. */
  nodeInfoError?: string;
  /** --check-dist: a TCP connection to the node's port succeeded. */
  distReachable?: boolean;
  /** --handshake: the status the node sent (ok, nok, not_allowed, alive), `tls`, or why there was none. */
  distStatus?: string;
  /** --handshake: the node's full name from its challenge, e.g. rabbit@internal-host. */
  fullName?: string;
  /** --handshake: the node's capability flags, hex. */
  flags?: string;
  /** --check-cookies: `accepted: <which>`, `rejected`, `inconclusive` or `not-tried`. */
  cookie?: string;
  /** --check-cookies: why the answer is `inconclusive`. */
  cookieError?: string;
}

/** The result of probing one (ip, port). */
export interface ScanRecord {
  /** When the probe ended. */
  timestamp: Date;
  ip: string;
  port: number;
  protocol: 'tcp';
  status: Status;
  /** The port epmd reports for itself (its header); null unless status is epmd. */
  epmdPort: number | null;
  nodes: NodeEntry[];
  /** The reply hit --max-reply and was not read to its end. */
  truncated: boolean;
  error: ErrorCode | null;
  hostname: string;
  hostnameSource: string;
  asn: number | null;
  geo: string;
  region: string;
  city: string;
  naics: number | null;
  sector: string;
  severity: Severity;
  tag: 'epmd';
  /** Why this exposure is dangerous, in words (from --node-info, --check-dist, --handshake). */
  risks?: string[];
  /** Follow-ups (node-info, check-dist, handshake, check-cookies) that --follow-up-timeout cut short. */
  followUpsCut?: string[];
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

/** A record with every enrichment field empty. */
export function newRecord(
  fields: Pick<ScanRecord, 'ip' | 'port' | 'status'> & Partial<ScanRecord>,
): ScanRecord {
  return {
    timestamp: new Date(),
    protocol: 'tcp',
    epmdPort: null,
    nodes: [],
    truncated: false,
    error: null,
    ...UNENRICHED,
    severity: DEFAULT_SEVERITY,
    tag: 'epmd',
    ...fields,
  };
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
