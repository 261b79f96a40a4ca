// One scan from the command line: the reports written as records come, the
// checkpoint kept (with --resume), the progress line, the summary and the
// exit code over the whole run, earlier parts of a resumed run included.

import type { Readable, Writable } from 'node:stream';
import { describeFileError, UsageError } from '../errors.js';
import { footerOf } from '../output/formatter.js';
import { OutputError } from '../output/report-output.js';
import type { ScanRecord } from '../record.js';
import { fixNotes, LISTED_FIXES } from '../report/fixes.js';
import { type FailOn, type GateResult, trips } from '../report/gate.js';
import { renderSummary, Stats } from '../report/summary.js';
import { foundLogPath } from '../resume/checkpoint.js';
import { FoundLog } from '../resume/found-log.js';
import { emptyStats, Ledger } from '../resume/ledger.js';
import { socketPath } from '../runtime/raw-tcp.js';
import { describeCeiling, type InFlightPlan, planInFlight } from '../scan/in-flight.js';
import type { ScanGauges } from '../scan/options.js';
import { scanPositioned } from '../scan/scan.js';
import { DoneSet } from '../targets/done-set.js';
import { hostPort } from '../targets/ip.js';
import type { TargetOrder } from '../targets/order.js';
import { openFileLimit, socketBudget, workersAllowed } from './limits.js';
import { Live } from './live.js';
import {
  endOutputs,
  formattersOf,
  type OpenOutput,
  openOutputs,
  reportsInPlace,
  runContext,
} from './outputs.js';
import type { Prepared } from './prepare.js';
import type { ReportOptions, RunOptions } from './run-options.js';
import { targetCount } from './targets.js';

export const EXIT = { ok: 0, exposed: 1, usage: 2, runtime: 3, interrupted: 130 } as const;

/** What a scan reads and writes. */
export interface ScanIO {
  stdout: Writable;
  stderr: Writable;
  stdin?: Readable;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  openFileLimit?: number | null;
}

const RERUN = 'rerun the same command to continue; what is done is not done again';

export async function runScan(
  prepared: Prepared,
  run: RunOptions,
  io: ScanIO,
  say: (line: string) => void,
): Promise<number> {
  const { report, pool } = run;
  const { plan, gate, enricher, resume } = prepared;
  const { order } = plan;
  /** Targets of the run: a stream's grow as they are read. */
  const total = (): number => targetCount(plan);
  const checkpoint = resume?.checkpoint ?? null;
  const env = io.env ?? {};
  // -q: nothing on stderr but errors (and the gate's lines); notes are neither.
  const note = report.quiet ? () => undefined : say;
  const stats = new Stats();
  const started = new Date();
  /** The first exposures, for the summary's fixes (the rest are counted by stats). */
  const exposures: ScanRecord[] = [];
  /** Loopback EPMDs of @local (the first few), for the summary. */
  const loopback: string[] = [];
  const keepExposure = (record: ScanRecord): void => {
    if (record.status === 'epmd' && exposures.length < LISTED_FIXES) exposures.push(record);
    if (record.status === 'local-only' && loopback.length < 3) {
      loopback.push(hostPort(record.ip, record.port));
    }
  };
  const { failOn } = report;
  /** The in-flight ceiling and what set it, once the scan has started. */
  let ceiling: string | null = null;
  const summary = (interrupted: boolean, stopped = false): void => {
    if (report.quiet) return;
    io.stderr.write(
      renderSummary({
        stats,
        total: total(),
        interrupted,
        stopped,
        gate: gate?.summary,
        failOn,
        notes: [
          ...(ceiling ? [ceiling] : []),
          ...localNotes(loopback, stats),
          ...fixNotes(exposures, stats.exposures),
        ],
      }),
    );
  };
  const gateCode = (code: number): number => {
    if (code !== EXIT.ok || !failOn || !gate) return code;
    const tripped = trips(gate.summary, failOn);
    if (tripped.length === 0) return code;
    if (report.quiet) {
      // Quiet runs stay silent unless something is wrong; a tripped gate is.
      for (const line of quietGateLines(gate.summary, tripped)) say(line);
    }
    return EXIT.exposed;
  };

  // What earlier parts of a resumed run found, for the gate and summary of the whole run.
  let interrupted = false;
  const formatters = formattersOf(
    prepared.outputs,
    report,
    io.stdout,
    env,
    runContext({
      report,
      stats,
      gate,
      total: total(),
      ports: run.targets.port,
      started,
      resumedAt: checkpoint?.stats.done ?? 0,
      interrupted: () => interrupted,
    }),
  );
  if (checkpoint) stats.restore(checkpoint.stats);
  for (const { record } of resume?.found ?? []) {
    gate?.observe(record);
    keepExposure(record);
    for (const f of formatters) f.restore?.(record);
  }
  if (checkpoint?.finished) {
    const missing = await reportsInPlace(prepared.outputs, checkpoint.offsets);
    if (missing) {
      say(missing);
      say(`hint: delete the checkpoint '${resume?.path}' to scan again`);
      return EXIT.usage;
    }
    if (!report.quiet)
      say(`the checkpoint '${resume?.path}' says this scan is complete: nothing to do`);
    summary(false);
    return gateCode(EXIT.ok);
  }

  const inFlight = inFlightOf(run, prepared, io);
  if (pool.concurrency !== undefined && inFlight.setBy === 'open-file limit') {
    note(
      `concurrency lowered from ${pool.concurrency} to ${inFlight.ceiling} to fit the open-file limit (raise it with ulimit -n)`,
    );
  }
  ceiling = describeCeiling(inFlight, run.probe.connectTimeout);
  const sockets = socketPath(io.env ?? {});
  if (sockets.note) note(sockets.note);
  const workers = workersAllowed() ? pool.workers : 0;
  if (workers !== pool.workers && pool.workers !== 0 && pool.workers !== 'auto') {
    note('note: probing on the main thread: the permission model allows no worker threads');
  }
  const done = new DoneSet(checkpoint?.completed ?? 0, checkpoint?.done ?? []);
  if (checkpoint)
    note(`resuming: ${done.count} of ${total()} targets done already (${resume?.path})`);
  const outputs = await openOutputs(
    prepared.outputs,
    formatters,
    io.stdout,
    checkpoint?.offsets ?? null,
    io.signal,
  );
  let ledger: Ledger | null = null;
  if (resume) {
    let found: FoundLog;
    try {
      found = await FoundLog.open(foundLogPath(resume.path), checkpoint?.found ?? 0);
    } catch (error) {
      for (const o of outputs) await o.out.close();
      throw error;
    }
    ledger = new Ledger({
      path: resume.path,
      identity: resume.identity,
      outputs: outputs.map((o) => o.out),
      found,
      done,
      offsets: checkpoint?.offsets ?? outputs.map(() => 0),
      stats: checkpoint?.stats ?? emptyStats(),
      notable: (r) => r.status === 'epmd' || (gate?.cares(r) ?? false),
    });
  }
  const gauges: ScanGauges = { inFlight: 0, workers: 0 };
  // The progress line, --stats-every's lines and -v's (app/live.ts).
  const live = new Live({
    stderr: io.stderr,
    env,
    stats,
    total: order?.size ?? null,
    gauges,
    report,
  });
  prepared.metrics?.watch({ stats, total, gauges, checkpoint: ledger ? done : null });
  const failed = (): boolean => outputs.some((o) => o.out.error !== null) || ledger?.error != null;

  let failure: Error | null = null;
  try {
    ledger?.start();
    live.start();
    // A resumed report has its header already, unless nothing of it was counted.
    for (const o of outputs) if (o.out.written === 0) await o.out.write(o.formatter.header());
    for await (const { position, record } of scanPositioned({
      // The probe settings, the sockets' path, and the cookies read from their file.
      ...run.probe,
      portableSockets: sockets.portable,
      ...prepared.cookies,
      targets: plan.stream ?? (order as TargetOrder),
      startAt: done.mark,
      done: done.above,
      concurrency: pool.concurrency,
      sockets: inFlight.sockets,
      workers,
      enrich: enricher ? (r) => enricher.enrich(r) : undefined,
      signal: io.signal,
      gauges,
    })) {
      stats.add(record);
      keepExposure(record);
      gate?.observe(record);
      live.record(record);
      for (const o of outputs) {
        const text = o.formatter.format(record);
        // A row for the terminal goes above the progress line, not after it.
        if (text !== '' && o.plan.path === null) live.clear();
        await o.out.write(text);
      }
      ledger?.add(position, record);
      if (failed()) break;
    }
  } catch (error) {
    failure = error as Error;
  } finally {
    live.stop();
  }
  interrupted = io.signal?.aborted === true;
  let whole = !interrupted && !failure && !failed();
  // Without a checkpoint an interrupted report is ended as it is, footer and all.
  if (whole || (!ledger && interrupted && !failed())) {
    const footerFailure = await writeFooters(outputs);
    failure ??= footerFailure;
    whole &&= footerFailure === null && !failed();
  }
  for (const f of formatters) f.dispose?.();
  const code = await finish(outputs, ledger, whole, interrupted, report, say, resume?.path);
  if (failure) {
    if (!(failure instanceof OutputError) && !(failure instanceof UsageError)) throw failure;
    say(failure.message);
  }
  // Cut short by a failure (a full disk, a reader gone): "stopped", never "done".
  // A stream that gave nothing before the signal: nothing was scanned, as for a file still read.
  if (interrupted && plan.stream?.read === 0)
    say('interrupted before the scan began: nothing was scanned');
  summary(interrupted, !interrupted && !whole);
  // A stream's bad input (a line too long) before any result is a usage error, as for a file.
  const unusable = failure instanceof UsageError && stats.done === 0;
  return gateCode(failure ? (unusable ? EXIT.usage : EXIT.runtime) : code);
}

/** The run's in-flight ceiling: -c or the rate, within the descriptors left for sockets. */
function inFlightOf(run: RunOptions, prepared: Prepared, io: ScanIO): InFlightPlan {
  const limit = io.openFileLimit === undefined ? openFileLimit() : io.openFileLimit;
  const sockets = socketBudget(limit, {
    reports: prepared.outputs.length,
    checkpoint: prepared.resume !== null,
    metrics: prepared.metrics !== null,
  });
  return planInFlight({ ...run.probe, concurrency: run.pool.concurrency, sockets });
}

/**
 * Each report's footer, a part at a time (an HTML page's rows are read back
 * as they go); the error that stopped it (its temporary file), if any.
 */
async function writeFooters(outputs: OpenOutput[]): Promise<Error | null> {
  try {
    for (const o of outputs) {
      for (const part of footerOf(o.formatter)) {
        await o.out.write(part);
        if (o.out.error) break;
      }
    }
    return null;
  } catch (error) {
    return error as Error;
  }
}

/** Commits the checkpoint, ends the reports, and says why the run ended as it did. */
async function finish(
  outputs: OpenOutput[],
  ledger: Ledger | null,
  whole: boolean,
  interrupted: boolean,
  report: ReportOptions,
  say: (line: string) => void,
  checkpointPath: string | undefined,
): Promise<number> {
  const pipeGone = outputs.some((o) => o.out.error?.code === 'EPIPE');
  const writeFailed = outputs.some((o) => o.out.error && o.out.error.code !== 'EPIPE');
  if (ledger) {
    await ledger.stop();
    // The reports are whole only once every position is counted; a reader
    // that went away may have missed the pipe's last buffer, not counted.
    await ledger.commit(!pipeGone, whole && !ledger.error);
    await ledger.found().close();
  }
  const ending = await endOutputs(
    outputs,
    { whole: whole && !ledger?.error, counted: ledger !== null },
    say,
  );
  if (ledger?.error) {
    say(`cannot write the checkpoint '${checkpointPath}': ${describeFileError(ledger.error)}`);
    say(`hint: ${RERUN} once it can be written`);
    return EXIT.runtime;
  }
  if (writeFailed || ending.code === EXIT.runtime) {
    if (ledger) say(`hint: ${RERUN} (the checkpoint counts only what was written)`);
    return EXIT.runtime;
  }
  if (pipeGone && (ledger || report.failOn)) {
    say('the reader of stdout went away (EPIPE): the scan is incomplete');
    if (ledger) say(`hint: ${RERUN}`);
    return EXIT.runtime;
  }
  if (interrupted && ledger && !report.quiet) {
    const partials = outputs.filter((o) => o.out.kind === 'file').map((o) => `'${o.plan.partial}'`);
    const where =
      partials.length === 0
        ? ''
        : `the report${partials.length > 1 ? 's so far are' : ' so far is'} in ${partials.join(', ')}; `;
    say(`${where}${RERUN}`);
  }
  return interrupted ? EXIT.interrupted : EXIT.ok;
}

/** What tripped the gate, one line per kind, for runs with -q (the first few entries named). */
function quietGateLines(gate: GateResult, tripped: [FailOn, number][]): string[] {
  const keys = (list: { key: string }[]): string =>
    `${list
      .slice(0, 10)
      .map((e) => e.key)
      .join(', ')}${list.length > 10 ? ` and ${list.length - 10} more` : ''}`;
  return tripped.map(([kind, count]) => {
    if (kind === 'new-exposure') return `${count} new exposure(s): ${keys(gate.fresh)}`;
    if (kind === 'new-node') {
      return `${count} known exposure(s) with new nodes: ${keys(gate.changed.filter((c) => c.added.length > 0 && !c.allowed))}`;
    }
    if (kind === 'reachable-node')
      return `${count} exposure(s) with a reachable node: ${keys(gate.reachable)}`;
    return `${count} exposure(s) where a default cookie was accepted: ${keys(gate.cookies)}`;
  });
}

/** What an EPMD on loopback means: not reachable from other hosts (or not only). */
function localNotes(loopback: string[], stats: Stats): string[] {
  const count = stats.byStatus['local-only'];
  if (count === 0) return [];
  const where = `${loopback.join(', ')}${count > loopback.length ? ` and ${count - loopback.length} more` : ''}`;
  return stats.exposures === 0
    ? [`epmd answers on loopback only (${where}): no other host reaches it`]
    : [`epmd also answers on loopback (${where}): that alone is not an exposure`];
}
