// scan(options): targets in, one ScanRecord per (address, port) out.

import { runPool, type StartTask, type Task } from './engine.js';
import { encodeNamesRequest } from './epmd/names.js';
import { classify } from './net/classify.js';
import { Sweeper, tickFor } from './net/deadlines.js';
import { Probe, type ProbeContext, type ProbeOutcome } from './net/probe.js';
import { newRecord, type ScanRecord, type Severity } from './record.js';
import { type ExpandOptions, expandTargets, type SourcedSpec } from './targets/expand.js';
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
  /** Specs (addresses, CIDRs, ranges, hostnames) or an already expanded space. */
  targets: Iterable<string | SourcedSpec> | TargetSpace;
  /** Ports to probe on every address (default 4369). */
  ports?: number[];
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
  /** Stops the scan: nothing new starts, what is in flight gets about a second. */
  signal?: AbortSignal;
}

interface Target {
  ip: string;
  port: number;
}

function* crossPorts(space: TargetSpace, ports: number[]): Generator<Target> {
  for (const ip of space.addresses()) for (const port of ports) yield { ip, port };
}

/** Turns a probe outcome into the record for its target. */
export function recordFor(target: Target, outcome: ProbeOutcome, severity: Severity): ScanRecord {
  const v = classify(outcome);
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
  const space =
    options.targets instanceof TargetSpace
      ? options.targets
      : await expandTargets(options.targets, options);
  const ports = options.ports ?? [DEFAULTS.port];
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
  };

  const request = encodeNamesRequest();
  const start: StartTask<Target, ScanRecord> = (target, done) => {
    let tries = 0;
    let current: Probe;
    const attempt = (): void => {
      current = new Probe(target.ip, target.port, request, ctx, (outcome) => {
        if (outcome.end === 'connect-timeout' && tries < retries) {
          tries++;
          attempt();
        } else {
          done(recordFor(target, outcome, severity));
        }
      });
    };
    attempt();
    const task: Task = { abort: () => current.abort() };
    return task;
  };

  try {
    yield* runPool(crossPorts(space, ports), start, {
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      rate: options.rate,
      signal: options.signal,
    });
  } finally {
    sweeper.stop();
  }
}
