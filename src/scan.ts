// scan(options): targets in, one ScanRecord per (address, port) out.

import { runPool, type StartTask, type Task } from './engine.js';
import type { NamesNode } from './epmd/names.js';
import { encodeNamesRequest } from './epmd/names.js';
import { classify, type Verdict } from './net/classify.js';
import { Sweeper, tickFor } from './net/deadlines.js';
import {
  type AbortHolder,
  anyNodeCheck,
  checkNodes,
  DEFAULT_FOLLOW_UP_TIMEOUT,
  type FollowUpEnv,
} from './net/node-checks.js';
import { Probe, type ProbeContext } from './net/probe.js';
import type { SourceAddresses } from './net/source.js';
import { TokenBucket } from './net/token-bucket.js';
import { scanInWorkers, workerCount } from './parallel.js';
import { newRecord, type ScanRecord, type Severity } from './record.js';
import { applyRisk } from './report/risk.js';
import { DoneSet, type Range } from './targets/done-set.js';
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

export interface ScanOptions extends ExpandOptions, ProbeSettings {
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
  /** Positions at or past startAt that are done already (a resumed scan): skipped. */
  done?: readonly Range[];
  /** Probes in flight at once. */
  concurrency?: number;
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

/** The per-probe settings: plain data, so a worker thread can be given them. */
export interface ProbeSettings {
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
  cookies?: string[];
  /** Cookies tried per node at most (default 3). */
  cookieAttempts?: number;
  /** ms for all the follow-ups of one EPMD together (default 10000). */
  followUpTimeout?: number;
  /** Make every connection with net.connect (slower); the default uses bare handles where Node has them. */
  portableSockets?: boolean;
  /** New connections per second at most; unlimited when absent. */
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

/** What probes targets: the pool's start function and what it shares. */
export interface Prober {
  start: StartTask<OrderedTarget, PositionedRecord>;
  bucket: TokenBucket | null;
  stop(): void;
}

/** Builds the probing machinery one thread uses: deadlines, rate, follow-ups. */
export function prober(
  settings: ProbeSettings,
  enrich?: (record: ScanRecord) => Promise<void>,
): Prober {
  const connectTimeout = settings.connectTimeout ?? DEFAULTS.connectTimeout;
  const timeout = settings.timeout ?? DEFAULTS.timeout;
  const retries = settings.retries ?? DEFAULTS.retries;
  const severity = settings.severity ?? 'high';
  const sweeper = new Sweeper(tickFor(connectTimeout, timeout));
  const ctx: ProbeContext = {
    sweeper,
    connectDeadlines: sweeper.list(Math.min(connectTimeout, timeout)),
    replyDeadlines: sweeper.list(timeout),
    maxReply: settings.maxReply ?? DEFAULTS.maxReply,
    portable: settings.portableSockets,
    sources: settings.sourceIps,
  };

  const request = encodeNamesRequest();
  const bucket = settings.rate && settings.rate > 0 ? new TokenBucket(settings.rate) : null;
  const deep = anyNodeCheck(settings);
  const followUps: FollowUpEnv = {
    ctx,
    bucket,
    deadlines: sweeper.list(settings.followUpTimeout ?? DEFAULT_FOLLOW_UP_TIMEOUT),
  };
  /** Node checks, risk and enrichment of an exposure, then its record is done. */
  const finishExposure = async (
    target: OrderedTarget,
    record: ScanRecord,
    names: NamesNode[],
    holder: AbortHolder,
  ) => {
    if (deep) {
      const cut = await checkNodes(
        target.ip,
        target.port,
        names,
        record.nodes,
        settings,
        followUps,
        holder,
      );
      if (cut.length > 0) record.followUpsCut = cut;
    }
    applyRisk(record);
    if (enrich) await enrich(record);
  };
  const start: StartTask<OrderedTarget, PositionedRecord> = (target, done) => {
    let tries = 0;
    const holder: AbortHolder = { current: null, aborted: false };
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
  return { start, bucket, stop: () => sweeper.stop() };
}

/** scan(), with each record's position in the sequence. */
export async function* scanPositioned(options: ScanOptions): AsyncGenerator<PositionedRecord> {
  const order = await orderFor(options);
  const local = order.space.localOnly;
  if (local.size === 0) {
    yield* probeAll(order, options);
    return;
  }
  // An EPMD on a loopback address of @local answers this machine only.
  for await (const item of probeAll(order, options)) {
    if (item.record.status === 'epmd' && local.has(item.record.ip))
      item.record.status = 'local-only';
    yield item;
  }
}

async function* probeAll(
  order: TargetOrder,
  options: ScanOptions,
): AsyncGenerator<PositionedRecord> {
  const startAt = options.startAt ?? 0;
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  const todo = new DoneSet(startAt, options.done ?? []);
  const workers = workerCount(options, order.size - todo.count, concurrency);
  if (options.gauges) options.gauges.workers = workers;
  if (workers > 0) {
    yield* scanInWorkers(order, { ...options, startAt, concurrency }, workers, todo);
    return;
  }
  const probing = prober(options, options.enrich);
  function* items(): Generator<OrderedTarget> {
    for (const [from, to] of todo.gaps(startAt, order.size)) yield* order.items(from, to);
  }
  try {
    yield* runPool(items(), probing.start, {
      concurrency,
      bucket: probing.bucket,
      signal: options.signal,
      gauge: options.gauges,
    });
  } finally {
    probing.stop();
  }
}
