// One resolved plan: scan()'s options (or the command line's flags, read as
// the same settings) become a ScanPlan here, every default applied here and
// nowhere else. The scan, its worker threads and the reports read the plan;
// its probe part (ProbePlan, src/probes/plan.ts) is plain data a worker is
// given whole.

import { UsageError } from '../errors.js';
import type { ProbeKind } from '../probes/kind.js';
import { NODE_CHECKS, type NodeCheck, type ProbePlan } from '../probes/plan.js';
import { probeKind } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';
import { DoneSet } from '../targets/done-set.js';
import { expandTargets } from '../targets/expand.js';
import { TargetOrder } from '../targets/order.js';
import { TargetSpace } from '../targets/space.js';
import { TargetStream } from '../targets/stream.js';
import { type InFlightPlan, planInFlight } from './in-flight.js';
import type { ProbeSettings, ScanGauges, ScanOptions } from './options.js';

/** The defaults of scan()'s options and of the CLI's flags (src/cli/program.ts shows them). */
export const DEFAULTS = {
  probe: 'names',
  port: 4369,
  /** New connections a second: gentle, and a silent /16 in under 10 s (README, Benchmarks). */
  rate: 10_000,
  workers: 'auto',
  connectTimeout: 2000,
  timeout: 5000,
  retries: 0,
  maxReply: 64 * 1024,
  severity: 'high',
  cookieAttempts: 3,
  followUpTimeout: 10_000,
} as const;

/** Everything a scan reads, resolved. */
/** Counts a plain record (KindProbe.plain: a refusal, a timeout) by its position and status. */
export type PlainTally = (position: number, status: string) => void;

export interface ScanPlan {
  /** The probe sequence, or a stream probed as it arrives (on this thread). */
  targets: TargetOrder | TargetStream;
  /** The positions done already (a resumed scan); the rest are probed. */
  todo: DoneSet;
  /** Probes in flight at most over every thread, the rate, the descriptor budget (in-flight.ts). */
  inFlight: InFlightPlan;
  /** Worker threads, or 'auto' (decided by the scan's size: parallel.ts). */
  workers: number | 'auto';
  probe: ProbePlan;
  /** Called for each exposure before it is yielded. */
  enrich?: (record: ScanRecord) => Promise<void>;
  signal?: AbortSignal;
  gauges?: ScanGauges;
  /**
   * Where plain records go when nothing reads them one by one (no report
   * row, no baseline, no -v line): counted there, never made or yielded.
   * On this thread as each probe ends; from a worker's batch as the
   * consumer reads on. Absent: every record is yielded.
   */
  tally?: PlainTally;
}

/** How each node follow-up is asked for on the command line. */
const CHECK_FLAGS: Record<NodeCheck, string> = {
  nodeInfo: '--node-info',
  checkDist: '--check-dist',
  handshake: '--handshake',
  checkCookies: '--check-cookies',
};

/** A UsageError when a follow-up is asked that the kind does not take. */
function checkFollowUps(kind: ProbeKind, o: ProbeSettings): void {
  if (!kind.checks) return;
  for (const check of NODE_CHECKS) {
    if (o[check] === true && !kind.checks.includes(check)) {
      throw new UsageError(
        `${CHECK_FLAGS[check]} does not go with --probe ${kind.name}`,
        `--probe ${kind.name} takes ${kind.checks.map((c) => CHECK_FLAGS[c]).join(', ') || 'no follow-up'}`,
      );
    }
  }
}

/**
 * The probe settings with every default applied; an Error for an unknown
 * probe kind, a UsageError for a follow-up the kind does not take.
 */
export function resolveProbe(o: ProbeSettings): ProbePlan {
  const kind = probeKind(o.probe ?? DEFAULTS.probe);
  checkFollowUps(kind, o);
  const checkCookies = o.checkCookies === true;
  const rate = o.rate ?? DEFAULTS.rate;
  return {
    kind: kind.name,
    module: kind.module ?? null,
    connectTimeout: o.connectTimeout ?? DEFAULTS.connectTimeout,
    timeout: o.timeout ?? DEFAULTS.timeout,
    retries: o.retries ?? DEFAULTS.retries,
    maxReply: o.maxReply ?? DEFAULTS.maxReply,
    severity: o.severity ?? DEFAULTS.severity,
    followUpTimeout: o.followUpTimeout ?? DEFAULTS.followUpTimeout,
    checks: {
      nodeInfo: o.nodeInfo === true,
      checkDist: o.checkDist === true,
      handshake: o.handshake === true || checkCookies,
      checkCookies,
      cookies: o.cookies ?? null,
      cookieAttempts: o.cookieAttempts ?? DEFAULTS.cookieAttempts,
    },
    rate: rate > 0 ? rate : null,
    portableSockets: o.portableSockets === true,
    sourceIps: o.sourceIps ?? null,
  };
}

/** The ports to probe on every address: those given, or the probe kind's own (4369 for NAMES). */
export function resolvePorts(ports: number[] | undefined, probe?: string): number[] {
  if (ports) return ports;
  const own = probeKind(probe ?? DEFAULTS.probe).ports;
  return own ? [...own] : [DEFAULTS.port];
}

/** -c (when given: otherwise the rate sets the probes in flight) and worker threads. */
export function resolvePool(o: Pick<ScanOptions, 'concurrency' | 'workers'>): {
  concurrency?: number;
  workers: number | 'auto';
} {
  return { concurrency: o.concurrency, workers: o.workers ?? DEFAULTS.workers };
}

/**
 * The probes in flight at most and what sets it: -c when given, else the
 * plan's rate and connect timeout, within `sockets` (the descriptor budget;
 * absent: the open-file limit less a reserve).
 */
export function inFlightFor(
  probe: ProbePlan,
  concurrency?: number,
  sockets?: number,
): InFlightPlan {
  const { connectTimeout, timeout } = probe;
  return planInFlight({ concurrency, rate: probe.rate ?? 0, connectTimeout, timeout, sockets });
}

/** The probe sequence, from whatever form the targets take (a stream has none). */
export async function orderFor(options: ScanOptions): Promise<TargetOrder> {
  if (options.targets instanceof TargetOrder) return options.targets;
  if (options.targets instanceof TargetStream) throw new TypeError('a TargetStream has no order');
  const space =
    options.targets instanceof TargetSpace
      ? options.targets
      : await expandTargets(options.targets, options);
  return new TargetOrder(space, {
    ports: resolvePorts(options.ports, options.probe),
    shuffle: options.shuffle,
    shard: options.shard,
  });
}

/** scan()'s options, resolved: the targets expanded and ordered, every default applied. */
export async function planScan(options: ScanOptions): Promise<ScanPlan> {
  const probe = resolveProbe(options);
  const pool = resolvePool(options);
  return {
    targets: options.targets instanceof TargetStream ? options.targets : await orderFor(options),
    todo: new DoneSet(options.startAt ?? 0, options.done ?? []),
    inFlight: inFlightFor(probe, pool.concurrency, options.sockets),
    workers: pool.workers,
    probe,
    enrich: options.enrich,
    signal: options.signal,
    gauges: options.gauges,
  };
}
