// Everything a run needs, read and checked before the first packet: the
// targets, the reports and their locks, the checkpoint (and that it belongs
// to this very command), the gate's files, the enricher, the cookie list.

import type { Readable } from 'node:stream';
import { type Enricher, openEnricher } from '../enrich/enricher.js';
import type { ReverseLookup } from '../enrich/ptr.js';
import { Interrupted, UsageError } from '../errors.js';
import { checkLocalSources, type Interface, localInterfaces } from '../net/source.js';
import type { FileLock } from '../output/lock.js';
import type { ProbePlan } from '../probes/plan.js';
import { readBaseline } from '../report/baseline.js';
import { Gate, readAllowList } from '../report/gate.js';
import type { HostLookup } from '../targets/expand.js';
import { datedOutputs } from './companions.js';
import { readCookieFile } from './cookies.js';
import type { MetricsServer } from './metrics.js';
import { type PlannedOutput, planOutputs } from './outputs.js';
import { openCheckpoint, type ResumeState, recordSettings, resumeState } from './resume.js';
import type { RunOptions } from './run-options.js';
import { type PlannedTargets, planTargets } from './targets.js';

export type { ResumeState } from './resume.js';

/** What preparing reads from the outside world (tests inject their own). */
export interface PrepareIO {
  stdin?: Readable;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  lookup?: HostLookup;
  localAddresses?: () => string[];
  /** This machine's interfaces, for -S (os.networkInterfaces() by default). */
  interfaces?: () => Interface[];
  reverseLookup?: ReverseLookup;
}

/** Everything a scan needs, checked before the first packet. */
export interface Prepared {
  plan: PlannedTargets;
  outputs: PlannedOutput[];
  gate: Gate | null;
  enricher: Enricher | null;
  /** The run's probe plan, with the cookies of --check-cookies <file> read and checked. */
  probe: ProbePlan;
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

/**
 * The run's probe plan, with the cookies of --check-cookies <file> read and
 * checked; and what a checkpoint records of them (null: no --check-cookies;
 * `built-in`; or the file's digest, never a cookie).
 */
async function withCookieFile(
  run: RunOptions,
  signal?: AbortSignal,
): Promise<{ probe: ProbePlan; cookies: string | null }> {
  const { probe } = run;
  if (!probe.checks.checkCookies) return { probe, cookies: null };
  if (run.cookieFile === undefined) return { probe, cookies: 'built-in' };
  const file = await readCookieFile(run.cookieFile, signal);
  return {
    probe: { ...probe, checks: { ...probe.checks, cookies: file.cookies } },
    cookies: file.identity,
  };
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
  const { signal } = io;
  // -q: nothing on stderr but errors and warnings; a note (a stale lock taken over) is neither.
  const note = report.quiet ? () => undefined : say;
  if (report.resume === '') throw new UsageError("--resume '': expected a checkpoint file name");
  if (report.resume !== undefined && run.targets.listTargets) {
    throw new UsageError('--resume goes with a scan, not with --list-targets');
  }
  if (run.probe.sourceIps) {
    await checkLocalSources(run.probe.sourceIps, io.interfaces?.() ?? localInterfaces());
  }
  const file = await openCheckpoint(report.resume, locks, note);
  const specs = datedOutputs(report, file?.checkpoint?.outputs);
  const outputs = await planOutputs(specs, report, file ?? undefined, locks, note);
  if (report.all && !outputs.some((o) => o.format === 'ndjson')) {
    throw new UsageError(
      '--all goes with an NDJSON report (-f ndjson, --ndjson or -oA): the other formats list exposures only',
    );
  }
  const targetIO = { ...io, warn: say }; // a stream's skipped lines
  const plan = await abortable(
    planTargets(args, run.targets, targetIO, file?.checkpoint ?? null),
    signal,
  );
  const { probe, cookies } = await withCookieFile(run, signal);
  const baseline = report.baseline ? await readBaseline(report.baseline, { signal }) : null;
  const gate =
    report.baseline || report.allow || report.failOn
      ? new Gate(
          baseline?.entries ?? null,
          report.allow ? await readAllowList(report.allow, signal) : [],
        )
      : null;
  const records = recordSettings(run, probe, cookies, baseline?.digest ?? null);
  const resume = file ? await resumeState(file, plan, outputs, run, probe, records) : null;
  const enricher = run.targets.listTargets ? null : await enricherOf(run, plan, io, say);
  // Last: nothing after it can fail and leave the endpoint open.
  // prom-client is loaded only by the runs that serve metrics.
  const metrics =
    report.metrics && !run.targets.listTargets
      ? await (await import('./metrics.js')).MetricsServer.start(report.metrics)
      : null;
  if (metrics && !report.quiet) say(`metrics at http://${metrics.address}/metrics`);
  return { plan, outputs, gate, enricher, probe, resume, metrics };
}

/** The enricher of the run's databases, asset map and name lookups. */
function enricherOf(
  run: RunOptions,
  plan: PlannedTargets,
  io: PrepareIO,
  say: (line: string) => void,
): Promise<Enricher> {
  const { cityDb, asnDb, assetMap, resolve } = run.report.enrich;
  return openEnricher({
    cityDb,
    asnDb,
    assetMap,
    resolve: resolve ? (io.reverseLookup ?? true) : false,
    targetNames: plan.order?.space.names ?? plan.stream?.names,
    warn: say,
    signal: io.signal,
  });
}
