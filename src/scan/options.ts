// What scan() and scanPositioned() are given: the library's options, every
// one optional. They are resolved once, defaults and all, into a ScanPlan
// (plan.ts), which is what the scan and its workers read.

import type { SourceAddresses } from '../net/source.js';
import type { ScanRecord, Severity } from '../record.js';
import type { Range } from '../targets/done-set.js';
import type { ExpandOptions, SpecSource } from '../targets/expand.js';
import type { Shard, TargetOrder } from '../targets/order.js';
import type { TargetSpace } from '../targets/space.js';
import type { TargetStream } from '../targets/stream.js';

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
  /** Called for each exposure before it is yielded, e.g. an Enricher's enrich. */
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

/** How each target is probed, as scan()'s options give it (DEFAULTS fill the gaps). */
export interface ProbeSettings {
  /** The probe kind, by name (default `names`: the EPMD NAMES request). */
  probe?: string;
  /** ms to establish the TCP connection. */
  connectTimeout?: number;
  /** ms for the whole probe of one target, connect included. */
  timeout?: number;
  /** Extra tries after a connect timeout. */
  retries?: number;
  /** Bytes read at most from one reply. */
  maxReply?: number;
  severity?: Severity;
  /** PORT_PLEASE2 for each listed node (type, protocol, versions). */
  nodeInfo?: boolean;
  /** TCP connect to each node's distribution port. */
  checkDist?: boolean;
  /** Distribution send_name: status, full name, flags; closes before authenticating. */
  handshake?: boolean;
  /**
   * Completes the handshake with candidate cookies (implies handshake): this
   * authenticates to a node whose cookie is right. Only for systems you are
   * authorised to test.
   */
  checkCookies?: boolean;
  /** Candidate cookies (each a latin1 string of the cookie's raw bytes) instead of the built-ins. */
  cookies?: readonly string[];
  /** Cookies tried per node at most (default 3). */
  cookieAttempts?: number;
  /** ms for all the follow-ups of one exposure together (default 10000). */
  followUpTimeout?: number;
  /** Make every connection with net.connect (slower); the default uses bare handles where Node has them. */
  portableSockets?: boolean;
  /** New connections per second at most (default DEFAULTS.rate; 0: unpaced). */
  rate?: number;
  /** --source-ip: the local address every connection binds, per family (canonical text). */
  sourceIps?: SourceAddresses;
}
