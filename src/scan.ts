// scan(options): targets in, one ScanRecord per (address, port) out.

import { runPool, type StartTask, type Task } from './engine.js';
import type { NamesNode } from './epmd/names.js';
import { encodeNamesRequest } from './epmd/names.js';
import { classify, type Verdict } from './net/classify.js';
import { Sweeper, tickFor } from './net/deadlines.js';
import { anyNodeCheck, checkNodes } from './net/node-checks.js';
import { Probe, type ProbeContext } from './net/probe.js';
import { TokenBucket } from './net/token-bucket.js';
import { newRecord, type ScanRecord, type Severity } from './record.js';
import { applyRisk } from './report/risk.js';
import { type ExpandOptions, expandTargets, type SpecSource } from './targets/expand.js';
import { type OrderedTarget, type Shard, TargetOrder } from './targets/order.js';
import { TargetSpace } from './targets/space.js';

export const DEFAULTS = {
  port: 4369,
  concurrency: 1024,
  connectTimeout: 2000,
  timeout: 5000,
  retries: 0,
  maxReply: 64 * 1024,
} as const;

export interface ScanOptions extends ExpandOptions {
  /** Specs (addresses, CIDRs, ranges, hostnames, ...), an expanded space, or a ready order. */
  targets: SpecSource | TargetSpace | TargetOrder;
  /** Ports to probe on every address (default 4369); ignored when targets is a TargetOrder. */
  ports?: number[];
  /** A seed: probe in a pseudo-random order, the same for the same seed. */
  shuffle?: string;
  /** Probe only shard i of n. */
  shard?: Shard;
  /** Skip the first positions of the sequence (a resumed scan). */
  startAt?: number;
  /** Probes in flight at once. */
  concurrency?: number;
  /** New connections per second at most; unlimited when absent. */
  rate?: number;
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
  /** Called for each exposed EPMD before it is yielded, e.g. an Enricher's enrich. */
  enrich?: (record: ScanRecord) => Promise<void>;
  /** Make every connection with net.connect (slower); the default uses bare handles where Node has them. */
  portableSockets?: boolean;
  /** Stops the scan: nothing new starts, what is in flight gets about a second. */
  signal?: AbortSignal;
}

interface Target {
  ip: string;
  port: number;
}

/** A record and its position in the run's sequence (what a checkpoint counts). */
export interface PositionedRecord {
  position: number;
  record: ScanRecord;
}

/** Builds the probe sequence from whatever form the targets take. */
export async function orderFor(options: ScanOptions): Promise<TargetOrder> {
  if (options.targets instanceof TargetOrder) return options.targets;
  const space =
    options.targets instanceof TargetSpace
      ? options.targets
      : await expandTargets(options.targets, options);
  return new TargetOrder(space, {
    ports: options.ports ?? [DEFAULTS.port],
    shuffle: options.shuffle,
    shard: options.shard,
  });
}

interface Holder {
  current: Probe | null;
  aborted: boolean;
}

/** Turns a probe's verdict into the record for its target. */
export function recordFor(target: Target, v: Verdict, severity: Severity): ScanRecord {
  return newRecord({
    ip: target.ip,
    port: target.port,
    status: v.status,
    error: v.error,
    epmdPort: v.epmdPort,
    nodes: v.nodes.map((n) => ({ name: n.name, port: n.port })),
    truncated: v.truncated,
    severity,
  });
}

/** Probes every target; yields a record per (address, port) as probes finish. */
export async function* scan(options: ScanOptions): AsyncGenerator<ScanRecord> {
  for await (const { record } of scanPositioned(options)) yield record;
}

/** scan(), with each record's position in the sequence. */
export async function* scanPositioned(options: ScanOptions): AsyncGenerator<PositionedRecord> {
  const order = await orderFor(options);
  const connectTimeout = options.connectTimeout ?? DEFAULTS.connectTimeout;
  const timeout = options.timeout ?? DEFAULTS.timeout;
  const retries = options.retries ?? DEFAULTS.retries;
  const severity = options.severity ?? 'high';
  const sweeper = new Sweeper(tickFor(connectTimeout, timeout));
  const ctx: ProbeContext = {
    sweeper,
    connectDeadlines: sweeper.list(Math.min(connectTimeout, timeout)),
    replyDeadlines: sweeper.list(timeout),
    maxReply: options.maxReply ?? DEFAULTS.maxReply,
    portable: options.portableSockets,
  };

  const request = encodeNamesRequest();
  const enrich = options.enrich;
  const bucket = options.rate && options.rate > 0 ? new TokenBucket(options.rate) : null;
  const deep = anyNodeCheck(options);
  /** Node checks, risk and enrichment of an exposure, then its record is done. */
  const finishExposure = async (
    target: OrderedTarget,
    record: ScanRecord,
    names: NamesNode[],
    holder: Holder,
  ) => {
    if (deep) {
      await checkNodes(target.ip, target.port, names, record.nodes, options, ctx, bucket, holder);
    }
    applyRisk(record);
    if (enrich) await enrich(record);
  };
  const start: StartTask<OrderedTarget, PositionedRecord> = (target, done) => {
    let tries = 0;
    const holder: Holder = { current: null, aborted: false };
    const attempt = (): void => {
      holder.current = new Probe(target.ip, target.port, request, ctx, (outcome) => {
        if (outcome.end === 'connect-timeout' && tries < retries) {
          tries++;
          attempt();
          return;
        }
        const verdict = classify(outcome);
        const record = recordFor(target, verdict, severity);
        if (record.status !== 'epmd') {
          done({ position: target.position, record });
          return;
        }
        // A failing follow-up or source must not lose the exposure: report what is known.
        const finish = () => done({ position: target.position, record });
        finishExposure(target, record, verdict.nodes, holder).then(finish, finish);
      });
    };
    attempt();
    const task: Task = {
      abort: () => {
        holder.aborted = true;
        holder.current?.abort();
      },
    };
    return task;
  };

  try {
    yield* runPool(order.items(options.startAt ?? 0), start, {
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      bucket,
      signal: options.signal,
    });
  } finally {
    sweeper.stop();
  }
}
