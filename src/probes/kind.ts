// The probe seam: what one kind of probe asks a target and what the answer
// means. net/ knows bytes and sockets only; a ProbeKind knows a protocol. The
// scan (prober() in scan.ts) connects to each target, sends request(), reads
// until complete() says the reply is whole (or EOF, a deadline or
// --max-reply), and hands how it ended to classify(); record() makes the
// target's record, and a record whose status is 'epmd' (an exposure) gets the
// kind's follow-ups, its risks and enrichment before it is yielded.
// names-probe.ts is the one kind so far: the EPMD NAMES request.

import type { ProbeOutcome } from '../net/probe.js';
import type { ErrorCode, ScanRecord, Severity, Status } from '../record.js';
import type { AbortHolder } from './node-checks.js';

/** What every kind's verdict says: the record's status and error. */
export interface ProbeVerdict {
  status: Status;
  error: ErrorCode | null;
}

/** One target as the scan probes it. */
export interface ProbeTarget {
  ip: string;
  port: number;
}

/** One kind of probe, e.g. the EPMD NAMES request (names-probe.ts). */
export interface ProbeKind<V extends ProbeVerdict = ProbeVerdict> {
  /** What it asks, for logs and docs: `epmd-names`. */
  readonly name: string;
  /** The bytes sent once connected. */
  readonly request: Uint8Array;
  /** Whether the bytes so far are a whole reply (the read then ends); absent: read until EOF. */
  readonly complete?: (bytes: Buffer) => boolean;
  /** How the probe ended, and what it read, to a verdict. Pure: no sockets. */
  classify(outcome: ProbeOutcome): V;
  /** The target's record from its verdict. */
  record(target: ProbeTarget, verdict: V, severity: Severity): ScanRecord;
  /**
   * Further connections for an exposure (e.g. --node-info, --handshake): they
   * fill the record in place and resolve to the follow-ups their time budget
   * cut short. Absent: none.
   */
  readonly followUps?: (
    target: ProbeTarget,
    verdict: V,
    record: ScanRecord,
    holder: AbortHolder,
  ) => Promise<string[]>;
}
