// scan(options): targets in, one ScanRecord per (address, port) out.

import { SocketBudget } from '../net/budget.js';
import { Sweeper, tickFor } from '../net/deadlines.js';
import { Probe, type ProbeContext } from '../net/probe.js';
import { TokenBucket } from '../net/token-bucket.js';
import type { Verdict } from '../probes/classify.js';
import { namesProbe } from '../probes/names-probe.js';
import type { AbortHolder, FollowUpEnv } from '../probes/node-checks.js';
import { applyRisk } from '../probes/risk.js';
import type { ScanRecord } from '../record.js';
import { DoneSet } from '../targets/done-set.js';
import { expandTargets } from '../targets/expand.js';
import { type OrderedTarget, TargetOrder } from '../targets/order.js';
import { TargetSpace } from '../targets/space.js';
import { TargetStream } from '../targets/stream.js';
import { type InFlightPlan, planInFlight } from './in-flight.js';
import {
  DEFAULTS,
  type PositionedRecord,
  type ProbeSettings,
  type ScanOptions,
} from './options.js';
import { scanInWorkers, workerCount } from './parallel.js';
import { type PoolSource, runPool, type StartTask, type Task } from './pool.js';

/** Builds the probe sequence from whatever form the targets take. */
export async function orderFor(options: ScanOptions): Promise<TargetOrder> {
  if (options.targets instanceof TargetOrder) return options.targets;
  if (options.targets instanceof TargetStream) throw new TypeError('a TargetStream has no order');
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

/** Probes every target; yields a record per (address, port) as probes finish. */
export async function* scan(options: ScanOptions): AsyncGenerator<ScanRecord> {
  for await (const { record } of scanPositioned(options)) yield record;
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
  budget?: SocketBudget,
): Prober {
  const connectTimeout = settings.connectTimeout ?? DEFAULTS.connectTimeout;
  const timeout = settings.timeout ?? DEFAULTS.timeout;
  const retries = settings.retries ?? DEFAULTS.retries;
  const severity = settings.severity ?? DEFAULTS.severity;
  const sweeper = new Sweeper(tickFor(connectTimeout, timeout));
  const ctx: ProbeContext = {
    sweeper,
    connectDeadlines: sweeper.list(Math.min(connectTimeout, timeout)),
    replyDeadlines: sweeper.list(timeout, false),
    maxReply: settings.maxReply ?? DEFAULTS.maxReply,
    portable: settings.portableSockets,
    sources: settings.sourceIps,
    budget,
  };

  const bucket = settings.rate && settings.rate > 0 ? new TokenBucket(settings.rate) : null;
  const followUps: FollowUpEnv = {
    ctx,
    bucket,
    deadlines: sweeper.list(settings.followUpTimeout ?? DEFAULTS.followUpTimeout),
  };
  const kind = namesProbe(settings, followUps);
  const request = kind.request;
  /** A kind that knows when its reply is whole stops reading there (NAMES reads to EOF). */
  const extras = kind.complete ? { until: kind.complete } : undefined;
  /** The kind's follow-ups, risk and enrichment of an exposure, then its record is done. */
  const finishExposure = async (
    target: OrderedTarget,
    record: ScanRecord,
    verdict: Verdict,
    holder: AbortHolder,
  ) => {
    if (kind.followUps) {
      const cut = await kind.followUps(target, verdict, record, holder);
      if (cut.length > 0) record.followUpsCut = cut;
    }
    applyRisk(record);
    if (enrich) await enrich(record);
  };
  const start: StartTask<OrderedTarget, PositionedRecord> = (target, done) => {
    let tries = 0;
    const holder: AbortHolder = { current: null, aborted: false };
    const attempt = (): void => {
      holder.current = new Probe(
        target.ip,
        target.port,
        request,
        ctx,
        (outcome) => {
          if (outcome.end === 'connect-timeout' && tries < retries) {
            tries++;
            attempt();
            return;
          }
          const verdict = kind.classify(outcome);
          const record = kind.record(target, verdict, severity);
          if (record.status !== 'epmd') {
            done({ position: target.position, record });
            return;
          }
          // A failing follow-up or source must not lose the exposure: report what is known.
          const finish = () => done({ position: target.position, record });
          finishExposure(target, record, verdict, holder).then(finish, finish);
        },
        extras,
      );
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
  if (options.targets instanceof TargetStream) {
    // Targets as they arrive, on this thread: there is no index to hand out.
    const plan = planInFlight(options);
    if (options.gauges) Object.assign(options.gauges, { workers: 0, ceiling: plan.ceiling });
    yield* probeHere(options.targets.targets(), options, plan);
    return;
  }
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
  const plan = planInFlight(options);
  const todo = new DoneSet(startAt, options.done ?? []);
  const paced = { ...options, rate: plan.rate, sockets: plan.sockets };
  const workers = workerCount(paced, order.size - todo.count, plan.ceiling);
  if (options.gauges) Object.assign(options.gauges, { workers, ceiling: plan.ceiling });
  if (workers > 0) {
    yield* scanInWorkers(order, { ...paced, startAt, concurrency: plan.ceiling }, workers, todo);
    return;
  }
  function* items(): Generator<OrderedTarget> {
    for (const [from, to] of todo.gaps(startAt, order.size)) yield* order.items(from, to);
  }
  yield* probeHere(items(), options, plan);
}

/** Probes on this thread, within its descriptor budget. */
async function* probeHere(
  source: PoolSource<OrderedTarget>,
  options: ScanOptions,
  plan: InFlightPlan,
): AsyncGenerator<PositionedRecord> {
  const budget = new SocketBudget(plan.sockets);
  const probing = prober({ ...options, rate: plan.rate }, options.enrich, budget);
  try {
    yield* runPool(source, probing.start, {
      concurrency: plan.ceiling,
      bucket: probing.bucket,
      budget,
      signal: options.signal,
      gauge: options.gauges,
    });
  } finally {
    probing.stop();
  }
}
