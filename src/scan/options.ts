// The options of scan() and scanPositioned(), their defaults, and the
// per-probe settings a worker thread is given: one module that the scan, the
// worker pool and the CLI all read, so none of them imports another for them.

import type { SourceAddresses } from '../net/source.js';
import {
  DEFAULT_COOKIE_ATTEMPTS,
  DEFAULT_FOLLOW_UP_TIMEOUT,
  type NodeCheckOptions,
} from '../probes/node-checks.js';
import { DEFAULT_SEVERITY, type ScanRecord, type Severity } from '../record.js';
import type { Range } from '../targets/done-set.js';
import type { ExpandOptions, SpecSource } from '../targets/expand.js';
import type { Shard, TargetOrder } from '../targets/order.js';
import type { TargetSpace } from '../targets/space.js';
import type { TargetStream } from '../targets/stream.js';

/** The defaults of scan()'s options, and of the CLI's flags (src/cli/program.ts shows them). */
export const DEFAULTS = {
  port: 4369,
  /** New connections a second: gentle, and a silent /16 in under 10 s (README, Benchmarks). */
  rate: 10_000,
  connectTimeout: 2000,
  timeout: 5000,
  retries: 0,
  maxReply: 64 * 1024,
  severity: DEFAULT_SEVERITY,
  cookieAttempts: DEFAULT_COOKIE_ATTEMPTS,
  followUpTimeout: DEFAULT_FOLLOW_UP_TIMEOUT,
} as const;

export interface ScanOptions extends ExpandOptions, ProbeSettings {
  /**
   * Specs (addresses, CIDRs, ranges, hostnames, ...), an expanded space, a
   * ready order, or a stream probed as it arrives (on this thread).
   */
  targets: SpecSource | TargetSpace | TargetOrder | TargetStream;
  /** Ports to probe on every address (default 4369); ignored when targets is a TargetOrder. */
  ports?: number[];
  /** A seed: probe in a pseudo-random order, the same for the same seed. */
  shuffle?: string;
  /** Probe only shard i of n. */
  shard?: Shard;
  /** Skip the first positions of the sequence (a resumed scan). */
  startAt?: number;
  /** Positions at or past startAt that are done already (a resumed scan): skipped. */
  done?: readonly Range[];
  /** Probes in flight at once; default: what the rate needs (in-flight.ts). */
  concurrency?: number;
  /** Sockets open at once at most (the descriptor budget); default: the open-file limit less a reserve. */
  sockets?: number;
  /** Called for each exposed EPMD before it is yielded, e.g. an Enricher's enrich. */
  enrich?: (record: ScanRecord) => Promise<void>;
  /**
   * Worker threads to probe in: 0 keeps the scan on this thread; 'auto' (the
   * default) uses one per core when the scan is large enough (parallel.ts).
   */
  workers?: number | 'auto';
  /** Stops the scan: nothing new starts, what is in flight gets about a second. */
  signal?: AbortSignal;
  /** Filled in as the scan runs, for monitoring (the CLI's --metrics). */
  gauges?: ScanGauges;
}

/** Live figures of a running scan. */
export interface ScanGauges {
  /** Probes in flight, over every thread. */
  inFlight: number;
  /** Worker threads probing (0: the calling thread alone). */
  workers: number;
  /** Probes in flight at most, over every thread (in-flight.ts). */
  ceiling?: number;
}

/** A record and its position in the run's sequence (what a checkpoint counts). */
export interface PositionedRecord {
  position: number;
  record: ScanRecord;
}

/** The per-probe settings: plain data, so a worker thread can be given them. */
export interface ProbeSettings extends NodeCheckOptions {
  /** ms to establish the TCP connection. */
  connectTimeout?: number;
  /** ms for the whole probe of one target, connect included. */
  timeout?: number;
  /** Extra tries after a connect timeout. */
  retries?: number;
  /** Bytes read at most from one reply. */
  maxReply?: number;
  severity?: Severity;
  /** ms for all the follow-ups of one EPMD together (default 10000). */
  followUpTimeout?: number;
  /** Make every connection with net.connect (slower); the default uses bare handles where Node has them. */
  portableSockets?: boolean;
  /** New connections per second at most (default DEFAULTS.rate; 0: unpaced). */
  rate?: number;
  /** --source-ip: the local address every connection binds, per family (canonical text). */
  sourceIps?: SourceAddresses;
}

const PROBE_SETTINGS = [
  'connectTimeout',
  'timeout',
  'retries',
  'maxReply',
  'severity',
  'nodeInfo',
  'checkDist',
  'handshake',
  'checkCookies',
  'cookies',
  'cookieAttempts',
  'followUpTimeout',
  'portableSockets',
  'rate',
  'sourceIps',
] as const satisfies readonly (keyof ProbeSettings)[];
/** Fails to compile when a ProbeSettings field is missing from the list above. */
const everySetting: [Exclude<keyof ProbeSettings, (typeof PROBE_SETTINGS)[number]>] extends [never]
  ? true
  : never = true;
void everySetting;

/** ProbeSettings' own fields, picked out of wider options (which may hold functions). */
export function probeSettings(o: ProbeSettings): ProbeSettings {
  const out: Record<string, unknown> = {};
  for (const key of PROBE_SETTINGS) if (o[key] !== undefined) out[key] = o[key];
  return out as ProbeSettings;
}
