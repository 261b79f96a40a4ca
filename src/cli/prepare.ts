// Everything a run needs, read and checked before the first packet: the
// targets, the reports and their locks, the checkpoint (and that it belongs
// to this very command), the gate's files, the enricher, the cookie list.

import type { Readable } from 'node:stream';
import { type Enricher, openEnricher } from '../enrich/enricher.js';
import type { ReverseLookup } from '../enrich/ptr.js';
import { Interrupted, UsageError } from '../errors.js';
import { checkLocalSources } from '../net/source.js';
import { FileLock } from '../output/lock.js';
import { Gate, readAllowList, readBaseline } from '../report/gate.js';
import {
  type Checkpoint,
  checkSameRun,
  fingerprint,
  foundLogPath,
  type RunIdentity,
  readCheckpoint,
} from '../resume/checkpoint.js';
import { type FoundEntry, readFoundLog } from '../resume/found-log.js';
import type { ScanOptions } from '../scan-options.js';
import type { HostLookup } from '../targets/expand.js';
import { localAddresses } from '../targets/local.js';
import { cookieOptions } from './cookies.js';
import type { MetricsServer } from './metrics.js';
import { type PlannedOutput, planOutputs } from './outputs.js';
import type { CliOptions } from './program.js';
import { type PlannedTargets, planTargets } from './targets.js';

/** What preparing reads from the outside world (tests inject their own). */
export interface PrepareIO {
  stdin?: Readable;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  lookup?: HostLookup;
  localAddresses?: () => string[];
  reverseLookup?: ReverseLookup;
}

/** A resumable run's state on disk, as read before the scan. */
export interface ResumeState {
  path: string;
  /** Null on the first run of this command. */
  checkpoint: Checkpoint | null;
  identity: RunIdentity;
  /** What earlier parts of the run found, for the gate and summary of the whole run. */
  found: FoundEntry[];
}

/** Everything a scan needs, checked before the first packet. */
export interface Prepared {
  plan: PlannedTargets;
  outputs: PlannedOutput[];
  gate: Gate | null;
  enricher: Enricher | null;
  /** --check-cookies and --cookie-attempts, read and checked. */
  cookies: Partial<ScanOptions>;
  resume: ResumeState | null;
  /** --metrics: the endpoint, listening already. */
  metrics: MetricsServer | null;
}

/** `work`, unless the signal comes first (reading a FIFO or a name lookup may never end). */
export function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Reads and checks everything; UsageError (exit 2) or Interrupted (130) otherwise. */
export async function prepare(
  args: string[],
  options: CliOptions,
  io: PrepareIO,
  say: (line: string) => void,
  locks: FileLock[],
  /** -f was given on the command line (not the default). */
  formatGiven = false,
): Promise<Prepared> {
  if (options.resume === '') throw new UsageError("--resume '': expected a checkpoint file name");
  if (options.resume !== undefined && options.listTargets) {
    throw new UsageError('--resume goes with a scan, not with --list-targets');
  }
  if (options.sourceIp) {
    await checkLocalSources(options.sourceIp, (io.localAddresses ?? localAddresses)());
  }
  const outputs = await planOutputs(options, locks, say, formatGiven);
  if (options.all && !outputs.some((o) => o.format === 'ndjson')) {
    throw new UsageError(
      '--all goes with an NDJSON report (-f ndjson, --ndjson or -oA): the other formats list exposures only',
    );
  }
  if (options.resume !== undefined)
    locks.push(await FileLock.take(options.resume, 'the checkpoint', say));
  const checkpoint = options.resume !== undefined ? await readCheckpoint(options.resume) : null;

  const plan = await abortable(planTargets(args, options, io, checkpoint), io.signal);
  const cookies = await cookieOptions(options);
  let resume: ResumeState | null = null;
  if (options.resume !== undefined) {
    const { order } = plan;
    const shard = order.options.shard;
    const identity: RunIdentity = {
      fingerprint: fingerprint(order),
      size: order.size,
      ports: order.options.ports,
      seed: plan.seed?.value ?? null,
      shard: shard ? `${shard.index}/${shard.total}` : null,
      outputs: outputs.map((o) => ({ format: o.format, path: o.id })),
      all: options.all === true,
      nodeSeparator: options.nodeSeparator,
      severity: options.severity,
    };
    if (checkpoint) checkSameRun(options.resume, checkpoint, identity);
    const found = checkpoint
      ? await readFoundLog(foundLogPath(options.resume), checkpoint.found, order.size)
      : [];
    resume = { path: options.resume, checkpoint, identity, found };
  }
  let gate: Gate | null = null;
  if (options.baseline || options.allow || options.failOnExposed || options.failOn) {
    gate = new Gate(
      options.baseline ? await readBaseline(options.baseline, options.nodeSeparator) : null,
      options.allow ? await readAllowList(options.allow) : [],
    );
  }
  let enricher: Enricher | null = null;
  if (!options.listTargets) {
    const env = io.env ?? {};
    enricher = await openEnricher({
      cityDb: options.cityDb ?? (env.EPMD_SCAN_CITY_DB || undefined),
      asnDb: options.asnDb ?? (env.EPMD_SCAN_ASN_DB || undefined),
      assetMap: options.assetMap,
      resolve: options.resolve ? (io.reverseLookup ?? true) : false,
      targetNames: plan.order.space.names,
      warn: say,
    });
  }
  // Last: nothing after it can fail and leave the endpoint open.
  // prom-client is loaded only by the runs that serve metrics.
  const metrics =
    options.metrics && !options.listTargets
      ? await (await import('./metrics.js')).MetricsServer.start(options.metrics)
      : null;
  if (metrics && !options.quiet) say(`metrics at http://${metrics.address}/metrics`);
  return { plan, outputs, gate, enricher, cookies, resume, metrics };
}
