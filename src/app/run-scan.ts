// One scan from the command line: the reports written as records come, the
// checkpoint kept (with --resume), the progress and live lines, the summary
// and the exit code over the whole run, earlier parts of a resumed run
// included.

import type { Readable, Writable } from 'node:stream';
import { describeFileError, UsageError } from '../errors.js';
import { type Formatter, footerOf } from '../output/formatter.js';
import { OutputError } from '../output/report-output.js';
import { LOCAL_ONLY, type ScanRecord } from '../record.js';
import { quietLines, trips } from '../report/fail-on.js';
import { fixNotes, LISTED_FIXES } from '../report/fixes.js';
import { renderSummary, Stats } from '../report/summary.js';
import { foundLogPath } from '../resume/checkpoint.js';
import { FoundLog } from '../resume/found-log.js';
import { emptyStats, Ledger } from '../resume/ledger.js';
import { socketPath } from '../runtime/raw-tcp.js';
import { describeCeiling, type InFlightPlan } from '../scan/in-flight.js';
import type { ScanGauges } from '../scan/options.js';
import { inFlightFor, type PlainTally, type ScanPlan } from '../scan/plan.js';
import { scanPlanned } from '../scan/scan.js';
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

type Say = (line: string) => void;

const RERUN = 'rerun the same command to continue; what is done is not done again';

/**
 * What a run keeps as records go by, earlier parts of a resumed run
 * included: the counts, the first exposures and loopback exposures for the
 * summary, and the gate; the summary and the exit code come from it.
 */
class Findings {
  readonly stats = new Stats();
  /** The first exposures, for the summary's fixes (the rest are counted by stats). */
  private readonly exposures: ScanRecord[] = [];
  /** Loopback exposures of @local (the first few), for the summary. */
  private readonly loopback: string[] = [];
  interrupted = false;
  /** The in-flight ceiling and what set it, once the scan has started. */
  ceiling: string | null = null;

  constructor(
    private readonly prepared: Prepared,
    readonly report: ReportOptions,
  ) {}

  /** Targets of the run: a stream's grow as they are read. */
  get total(): number {
    return targetCount(this.prepared.plan);
  }

  /** The gate compares every record with a baseline: none may go uncounted one by one. */
  get everyRecord(): boolean {
    return this.prepared.gate?.everyRecord ?? false;
  }

  /** A record for the gate and the summary (the stats count it apart). */
  observe(record: ScanRecord): void {
    this.prepared.gate?.observe(record);
    if (record.exposed && this.exposures.length < LISTED_FIXES) this.exposures.push(record);
    if (record.status === LOCAL_ONLY && this.loopback.length < 3) {
      this.loopback.push(hostPort(record.ip, record.port));
    }
  }

  /** The summary on stderr, unless -q; `stopped`: cut short by a failure, never "done". */
  summary(stderr: Writable, stopped = false): void {
    if (this.report.quiet) return;
    const { stats } = this;
    stderr.write(
      renderSummary({
        stats,
        total: this.total,
        interrupted: this.interrupted,
        stopped,
        gate: this.prepared.gate?.summary,
        failOn: this.report.failOn,
        probe: this.prepared.probe.kind,
        notes: [
          ...(this.ceiling ? [this.ceiling] : []),
          ...localNotes(this.loopback, stats),
          ...fixNotes(this.exposures, stats.exposures),
        ],
      }),
    );
  }

  /** The exit code: 1 when the run is otherwise clean and the gate tripped. */
  exitCode(code: number, say: Say): number {
    const { gate } = this.prepared;
    const { failOn } = this.report;
    if (code !== EXIT.ok || !failOn || !gate) return code;
    const tripped = trips(gate.summary, failOn);
    if (tripped.length === 0) return code;
    // Quiet runs stay silent unless something is wrong; a tripped gate is.
    if (this.report.quiet) for (const line of quietLines(gate.summary, tripped)) say(line);
    return EXIT.exposed;
  }
}

/** The formatters, with the run as they see it (the HTML page's figures, the gate's verdicts). */
function formattersFor(
  prepared: Prepared,
  run: RunOptions,
  found: Findings,
  io: ScanIO,
): Formatter[] {
  const { report } = found;
  return formattersOf(
    prepared.outputs,
    { ...report, probe: prepared.probe.kind },
    io.stdout,
    io.env ?? {},
    runContext({
      report,
      stats: found.stats,
      gate: prepared.gate,
      total: found.total,
      ports: run.targets.port,
      started: new Date(),
      resumedAt: prepared.resume?.checkpoint?.stats.done ?? 0,
      interrupted: () => found.interrupted,
    }),
  );
}

/** What earlier parts of a resumed run counted and found, into the gate, summary and formatters. */
function restore(prepared: Prepared, found: Findings, formatters: Formatter[]): void {
  const checkpoint = prepared.resume?.checkpoint;
  if (checkpoint) found.stats.restore(checkpoint.stats);
  for (const { record } of prepared.resume?.found ?? []) {
    found.observe(record);
    for (const f of formatters) f.restore?.(record);
  }
}

/** A run whose checkpoint says it is complete: its reports put in place, nothing scanned. */
async function alreadyDone(prepared: Prepared, found: Findings, say: Say, stderr: Writable) {
  const { resume } = prepared;
  const missing = await reportsInPlace(prepared.outputs, resume?.checkpoint?.offsets ?? []);
  if (missing) {
    say(missing);
    say(`hint: delete the checkpoint '${resume?.path}' to scan again`);
    return EXIT.usage;
  }
  if (!found.report.quiet) {
    say(`the checkpoint '${resume?.path}' says this scan is complete: nothing to do`);
  }
  found.summary(stderr);
  return found.exitCode(EXIT.ok, say);
}

/** The run's in-flight ceiling: -c or the rate, within the descriptors left for sockets. */
function inFlightOf(run: RunOptions, prepared: Prepared, io: ScanIO): InFlightPlan {
  const limit = io.openFileLimit === undefined ? openFileLimit() : io.openFileLimit;
  const sockets = socketBudget(limit, {
    reports: prepared.outputs.length,
    checkpoint: prepared.resume !== null,
    metrics: prepared.metrics !== null,
  });
  return inFlightFor(prepared.probe, run.pool.concurrency, sockets);
}

/** The scan's plan: the prepared probe plan, the pool as this machine allows it, what is left to do. */
function scanPlan(prepared: Prepared, run: RunOptions, io: ScanIO, note: Say, done: DoneSet) {
  const { pool } = run;
  const inFlight = inFlightOf(run, prepared, io);
  if (pool.concurrency !== undefined && inFlight.setBy === 'open-file limit') {
    note(
      `concurrency lowered from ${pool.concurrency} to ${inFlight.ceiling} to fit the open-file limit (raise it with ulimit -n)`,
    );
  }
  const sockets = socketPath(io.env ?? {});
  if (sockets.note) note(sockets.note);
  const workers = workersAllowed() ? pool.workers : 0;
  if (workers !== pool.workers && pool.workers !== 0 && pool.workers !== 'auto') {
    note('note: probing on the main thread: the permission model allows no worker threads');
  }
  const { enricher, plan: targets } = prepared;
  const plan: ScanPlan = {
    targets: targets.stream ?? (targets.order as TargetOrder),
    // The scan's own copy: the ledger adds to `done` as it commits.
    todo: new DoneSet(done.mark, done.above),
    inFlight,
    workers,
    probe: prepared.probe,
    enrich: enricher ? (r) => enricher.enrich(r) : undefined,
    signal: io.signal,
    gauges: { inFlight: 0, workers: 0 },
  };
  return plan;
}

/** The checkpoint's ledger (with --resume): its found-log opened; the reports closed on a failure. */
async function openLedger(
  prepared: Prepared,
  outputs: OpenOutput[],
  done: DoneSet,
): Promise<Ledger | null> {
  const { resume, gate } = prepared;
  if (!resume) return null;
  const checkpoint = resume.checkpoint;
  let found: FoundLog;
  try {
    found = await FoundLog.open(foundLogPath(resume.path), checkpoint?.found ?? 0);
  } catch (error) {
    for (const o of outputs) await o.out.close();
    throw error;
  }
  return new Ledger({
    path: resume.path,
    identity: resume.identity,
    outputs: outputs.map((o) => o.out),
    found,
    done,
    offsets: checkpoint?.offsets ?? outputs.map(() => 0),
    stats: checkpoint?.stats ?? emptyStats(),
    notable: (r) => r.exposed || (gate?.cares(r) ?? false),
  });
}

/** Where the records go: the reports, the ledger, the live lines, the findings. */
interface Sinks {
  outputs: OpenOutput[];
  ledger: Ledger | null;
  live: Live;
  found: Findings;
}

/** True once a report or the checkpoint cannot be written. */
const failed = ({ outputs, ledger }: Sinks): boolean =>
  outputs.some((o) => o.out.error !== null) || ledger?.error != null;

/**
 * How plain records (a refusal, a timeout: most of a sweep) are counted when
 * nothing reads them one by one (no report writes them, no baseline looks
 * for what is gone, no -v line): by their status, in the stats and the
 * checkpoint, never made. Undefined when something does: each is made.
 */
function plainTally({ outputs, ledger, live, found }: Sinks): PlainTally | undefined {
  if (outputs.some((o) => o.formatter.everyRecord) || found.everyRecord || live.everyRecord) {
    return undefined;
  }
  const { stats } = found;
  return (position, status) => {
    stats.count(status, 0);
    ledger?.addPlain(position, status);
  };
}

/** Scans and writes every record; resolves to what stopped it (null: it ran to its end). */
async function writeRecords(plan: ScanPlan, sinks: Sinks): Promise<Error | null> {
  const { outputs, ledger, live, found } = sinks;
  plan.tally = plainTally(sinks);
  try {
    ledger?.start();
    live.start();
    // A resumed report has its header already, unless nothing of it was counted.
    for (const o of outputs) if (o.out.written === 0) await o.out.write(o.formatter.header());
    for await (const { position, record } of scanPlanned(plan)) {
      found.stats.add(record);
      found.observe(record);
      live.record(record);
      for (const o of outputs) {
        const text = o.formatter.format(record);
        // Most records of a sweep are not rows (a refusal without --all): no turn of the loop for them.
        if (text === '') continue;
        // A row for the terminal goes above the progress line, not after it.
        if (o.plan.path === null) live.clear();
        await o.out.write(text);
      }
      ledger?.add(position, record);
      if (failed(sinks)) break;
    }
    return null;
  } catch (error) {
    return error as Error;
  } finally {
    live.stop();
  }
}

export async function runScan(
  prepared: Prepared,
  run: RunOptions,
  io: ScanIO,
  say: Say,
): Promise<number> {
  const { report } = run;
  // -q: nothing on stderr but errors (and the gate's lines); notes are neither.
  const note: Say = report.quiet ? () => undefined : say;
  const found = new Findings(prepared, report);
  const checkpoint = prepared.resume?.checkpoint ?? null;
  const formatters = formattersFor(prepared, run, found, io);
  restore(prepared, found, formatters);
  if (checkpoint?.finished) return alreadyDone(prepared, found, say, io.stderr);

  const done = new DoneSet(checkpoint?.completed ?? 0, checkpoint?.done ?? []);
  const plan = scanPlan(prepared, run, io, note, done);
  found.ceiling = describeCeiling(plan.inFlight, plan.probe.connectTimeout);
  if (checkpoint) {
    note(
      `resuming: ${done.count} of ${found.total} targets done already (${prepared.resume?.path})`,
    );
  }
  const offsets = checkpoint?.offsets ?? null;
  const outputs = await openOutputs(prepared.outputs, formatters, io.stdout, offsets, io.signal);
  const ledger = await openLedger(prepared, outputs, done);
  const { stats } = found;
  const gauges = plan.gauges as ScanGauges;
  // The progress line, --stats-every's lines and -v's (app/live.ts); a stream's total is not known.
  const total = prepared.plan.order?.size ?? null;
  const live = new Live({ stderr: io.stderr, env: io.env ?? {}, stats, total, gauges, report });
  const watched = { stats, total: () => found.total, gauges, checkpoint: ledger ? done : null };
  prepared.metrics?.watch(watched);

  const sinks: Sinks = { outputs, ledger, live, found };
  let failure = await writeRecords(plan, sinks);
  found.interrupted = io.signal?.aborted === true;
  let whole = !found.interrupted && !failure && !failed(sinks);
  // Without a checkpoint an interrupted report is ended as it is, footer and all.
  if (whole || (!ledger && found.interrupted && !failed(sinks))) {
    const footerFailure = await writeFooters(outputs);
    failure ??= footerFailure;
    whole &&= footerFailure === null && !failed(sinks);
  }
  for (const f of formatters) f.dispose?.();
  const ends = { whole, interrupted: found.interrupted, checkpoint: prepared.resume?.path };
  const code = await finish(outputs, ledger, ends, report, say);
  if (failure) {
    if (!(failure instanceof OutputError) && !(failure instanceof UsageError)) throw failure;
    say(failure.message);
  }
  // A stream that gave nothing before the signal: nothing was scanned, as for a file still read.
  if (found.interrupted && prepared.plan.stream?.read === 0) {
    say('interrupted before the scan began: nothing was scanned');
  }
  // Cut short by a failure (a full disk, a reader gone): "stopped", never "done".
  found.summary(io.stderr, !found.interrupted && !whole);
  // A stream's bad input (a line too long) before any result is a usage error, as for a file.
  const unusable = failure instanceof UsageError && stats.done === 0;
  return found.exitCode(failure ? (unusable ? EXIT.usage : EXIT.runtime) : code, say);
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
  { whole, interrupted, checkpoint }: { whole: boolean; interrupted: boolean; checkpoint?: string },
  report: ReportOptions,
  say: Say,
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
    say(`cannot write the checkpoint '${checkpoint}': ${describeFileError(ledger.error)}`);
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

/** What an exposure on loopback means: not reachable from other hosts (or not only). */
function localNotes(loopback: string[], stats: Stats): string[] {
  const count = stats.byStatus[LOCAL_ONLY] ?? 0;
  if (count === 0) return [];
  const where = `${loopback.join(', ')}${count > loopback.length ? ` and ${count - loopback.length} more` : ''}`;
  return stats.exposures === 0
    ? [`epmd answers on loopback only (${where}): no other host reaches it`]
    : [`epmd also answers on loopback (${where}): that alone is not an exposure`];
}
