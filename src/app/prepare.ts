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
import type { ScanOptions } from '../scan/options.js';
import type { HostLookup } from '../targets/expand.js';
import { localAddresses } from '../targets/local.js';
import { cookieOptions } from './cookies.js';
import type { MetricsServer } from './metrics.js';
import { type PlannedOutput, planOutputs } from './outputs.js';
import type { RunOptions } from './run-options.js';
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
  run: RunOptions,
  io: PrepareIO,
  say: (line: string) => void,
  locks: FileLock[],
): Promise<Prepared> {
  const { report } = run;
  // -q: nothing on stderr but errors and warnings; a note (a stale lock taken over) is neither.
  const note = report.quiet ? () => undefined : say;
  const resumePath = report.resume;
  if (resumePath === '') throw new UsageError("--resume '': expected a checkpoint file name");
  if (resumePath !== undefined && run.targets.listTargets) {
    throw new UsageError('--resume goes with a scan, not with --list-targets');
  }
  if (run.sourceIp) {
    await checkLocalSources(run.sourceIp, (io.localAddresses ?? localAddresses)());
  }
  const outputs = await planOutputs(report, locks, note);
  if (report.all && !outputs.some((o) => o.format === 'ndjson')) {
    throw new UsageError(
      '--all goes with an NDJSON report (-f ndjson, --ndjson or -oA): the other formats list exposures only',
    );
  }
  if (resumePath !== undefined) locks.push(await FileLock.take(resumePath, 'the checkpoint', note));
  const checkpoint = resumePath !== undefined ? await readCheckpoint(resumePath) : null;

  const targetIO = { ...io, warn: say }; // a stream's skipped lines
  const plan = await abortable(planTargets(args, run.targets, targetIO, checkpoint), io.signal);
  const cookies = await cookieOptions(run.cookies);
  let resume: ResumeState | null = null;
  const { order } = plan; // none for a stream, which planTargets refuses with --resume
  if (resumePath !== undefined && order) {
    const shard = order.options.shard;
    const identity: RunIdentity = {
      fingerprint: fingerprint(order),
      size: order.size,
      ports: order.options.ports,
      seed: plan.seed?.value ?? null,
      shard: shard ? `${shard.index}/${shard.total}` : null,
      outputs: outputs.map((o) => ({ format: o.format, path: o.id })),
      all: report.all,
      nodeSeparator: report.nodeSeparator,
      severity: report.severity,
    };
    if (checkpoint) checkSameRun(resumePath, checkpoint, identity);
    const found = checkpoint
      ? await readFoundLog(foundLogPath(resumePath), checkpoint.found, order.size)
      : [];
    resume = { path: resumePath, checkpoint, identity, found };
  }
  let gate: Gate | null = null;
  if (report.baseline || report.allow || report.failOn) {
    gate = new Gate(
      report.baseline ? await readBaseline(report.baseline, report.nodeSeparator) : null,
      report.allow ? await readAllowList(report.allow) : [],
    );
  }
  let enricher: Enricher | null = null;
  if (!run.targets.listTargets) {
    const { cityDb, asnDb, assetMap, resolve } = report.enrich;
    enricher = await openEnricher({
      cityDb,
      asnDb,
      assetMap,
      resolve: resolve ? (io.reverseLookup ?? true) : false,
      targetNames: plan.order?.space.names ?? plan.stream?.names,
      warn: say,
    });
  }
  // Last: nothing after it can fail and leave the endpoint open.
  // prom-client is loaded only by the runs that serve metrics.
  const metrics =
    report.metrics && !run.targets.listTargets
      ? await (await import('./metrics.js')).MetricsServer.start(report.metrics)
      : null;
  if (metrics && !report.quiet) say(`metrics at http://${metrics.address}/metrics`);
  return { plan, outputs, gate, enricher, cookies, resume, metrics };
}
