// The command line: argv and streams in, an exit code out. A thin layer over
// the library; it never calls process.exit, so tests can run it in-process.

import { rename, stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { CommanderError } from 'commander';
import { type Enricher, openEnricher } from '../enrich/enricher.js';
import type { ReverseLookup } from '../enrich/ptr.js';
import { describeFileError, Interrupted, UsageError } from '../errors.js';
import { csvFormatter } from '../output/csv.js';
import type { Formatter } from '../output/formatter.js';
import { FileLock } from '../output/lock.js';
import { ndjsonFormatter } from '../output/ndjson.js';
import {
  OutputError,
  type OutputPlan,
  openOutput,
  planOutput,
  type ReportOutput,
} from '../output/report-output.js';
import { tableFormatter } from '../output/table.js';
import type { ScanRecord } from '../record.js';
import { fixNotes, LISTED_FIXES } from '../report/fixes.js';
import { Gate, readAllowList, readBaseline } from '../report/gate.js';
import { Progress } from '../report/progress.js';
import { renderSummary, Stats } from '../report/summary.js';
import {
  type Checkpoint,
  checkSameRun,
  fingerprint,
  foundLogPath,
  type RunIdentity,
  readCheckpoint,
} from '../resume/checkpoint.js';
import { type FoundEntry, FoundLog, readFoundLog } from '../resume/found-log.js';
import { emptyStats, Ledger } from '../resume/ledger.js';
import { type ScanGauges, type ScanOptions, scanPositioned } from '../scan.js';
import { DoneSet } from '../targets/done-set.js';
import type { HostLookup } from '../targets/expand.js';
import { listLines } from '../targets/order.js';
import { colorLevel, isTerminal } from './color.js';
import { COOKIE_WARNING, cookieOptions } from './cookies.js';
import { clampConcurrency, openFileLimit } from './limits.js';
import type { MetricsServer } from './metrics.js';
import { type CliOptions, EXAMPLES, normaliseArgv, program } from './program.js';
import { type PlannedTargets, planTargets } from './targets.js';

/** What the CLI reads and writes; the bin passes the process's own. */
export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin?: Readable;
  env?: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: the scan stops, results so far are written, exit 130. */
  signal?: AbortSignal;
  /** The soft open-file limit (tests inject one); read from /proc when absent. */
  openFileLimit?: number | null;
  /** Forward DNS for hostname targets (tests inject one). */
  lookup?: HostLookup;
  /** What @local stands for (tests inject it). */
  localAddresses?: () => string[];
  /** Reverse DNS (tests inject one); the system resolver when absent. */
  reverseLookup?: ReverseLookup;
}

export const EXIT = { ok: 0, exposed: 1, usage: 2, runtime: 3, interrupted: 130 } as const;

function formatterFor(options: CliOptions, out: Writable, env: NodeJS.ProcessEnv): Formatter {
  if (options.format === 'ndjson') return ndjsonFormatter({ all: options.all });
  if (options.format === 'table') return tableFormatter({ colorLevel: colorLevel(out, env) });
  return csvFormatter({ nodeSeparator: options.nodeSeparator });
}

/** `work`, unless the signal comes first (reading a FIFO or a name lookup may never end). */
function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
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

/** Everything a scan needs, checked before the first packet. */
interface Prepared {
  plan: PlannedTargets;
  outPlan: OutputPlan;
  gate: Gate | null;
  enricher: Enricher | null;
  /** --check-cookies and --cookie-attempts, read and checked. */
  cookies: Partial<ScanOptions>;
  /** --resume: the checkpoint (null on a first run), its identity, and the found-log. */
  resume: {
    path: string;
    checkpoint: Checkpoint | null;
    identity: RunIdentity;
    found: FoundEntry[];
  } | null;
  /** --metrics: the endpoint, listening already. */
  metrics: MetricsServer | null;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  // The extras are loaded only when asked for: a scan starts without them.
  if (argv[0] === 'completion') {
    return (await import('./extras.js')).completionCommand(argv, io) ?? EXIT.usage;
  }
  const cmd = program(io);
  try {
    cmd.parse(normaliseArgv(argv), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }
  const options = cmd.opts<CliOptions>();
  if (options.version) {
    return (await import('./extras.js')).printVersion(io.stdout, options.verbose === true);
  }
  const say = (line: string): void => {
    io.stderr.write(`epmd-scan: ${line}\n`);
  };
  const locks: FileLock[] = [];
  let prepared: Prepared;
  try {
    prepared = await prepare(cmd.args, options, io, say, locks);
  } catch (error) {
    for (const lock of locks) await lock.release();
    if (error instanceof UsageError) {
      say(error.message);
      if (error.hint) say(`hint: ${error.hint}`);
      if (/^no targets given/.test(error.message)) io.stderr.write(`${EXAMPLES.trimStart()}\n`);
      return EXIT.usage;
    }
    if (error instanceof Interrupted) {
      say('interrupted before the scan began: nothing was scanned');
      return EXIT.interrupted;
    }
    throw error;
  }
  const { plan } = prepared;
  if (plan.seed?.generated && !options.quiet) {
    say(`shuffle seed ${plan.seed.value} (give --shuffle ${plan.seed.value} to repeat this order)`);
  }
  if (prepared.cookies.checkCookies && !options.quiet) say(`warning: ${COOKIE_WARNING}`);
  try {
    if (options.listTargets) return await listTargets(prepared, options, io, say);
    return await runScan(prepared, options, io, say);
  } catch (error) {
    // Opening the report or the found-log: still before the first packet.
    if (error instanceof Interrupted) {
      say('interrupted before the scan began: nothing was scanned');
      return EXIT.interrupted;
    }
    if (!(error instanceof UsageError)) throw error;
    say(error.message);
    if (error.hint) say(`hint: ${error.hint}`);
    return EXIT.usage;
  } finally {
    await prepared.enricher?.close();
    await prepared.metrics?.close();
    for (const lock of locks) await lock.release();
  }
}

async function prepare(
  args: string[],
  options: CliOptions,
  io: CliIO,
  say: (line: string) => void,
  locks: FileLock[],
): Promise<Prepared> {
  if (options.all && options.format !== 'ndjson') {
    throw new UsageError('--all goes with -f ndjson (CSV and table list exposures only)');
  }
  if (options.resume === '') throw new UsageError("--resume '': expected a checkpoint file name");
  if (options.resume !== undefined && options.listTargets) {
    throw new UsageError('--resume goes with a scan, not with --list-targets');
  }
  const outPlan = await planOutput(options.output);
  // One run per report and per checkpoint: a second one would lose results.
  if (outPlan.kind === 'file')
    locks.push(await FileLock.take(outPlan.dest as string, 'the report', say));
  if (options.resume !== undefined)
    locks.push(await FileLock.take(options.resume, 'the checkpoint', say));
  const checkpoint = options.resume !== undefined ? await readCheckpoint(options.resume) : null;

  const plan = await abortable(planTargets(args, options, io, checkpoint), io.signal);
  const cookies = await cookieOptions(options);
  let resume: Prepared['resume'] = null;
  if (options.resume !== undefined) {
    const { order } = plan;
    const identity: RunIdentity = {
      fingerprint: fingerprint(order),
      size: order.size,
      ports: order.options.ports,
      seed: plan.seed?.value ?? null,
      shard: order.options.shard
        ? `${order.options.shard.index}/${order.options.shard.total}`
        : null,
      format: options.format,
      all: options.all === true,
      nodeSeparator: options.nodeSeparator,
      severity: options.severity,
      output: outPlan.kind === 'file' ? (outPlan.dest as string) : (outPlan.path ?? 'stdout'),
    };
    if (checkpoint) checkSameRun(options.resume, checkpoint, identity);
    const found = checkpoint
      ? await readFoundLog(foundLogPath(options.resume), checkpoint.found, order.size)
      : [];
    resume = { path: options.resume, checkpoint, identity, found };
  }
  let gate: Gate | null = null;
  if (options.baseline || options.allow || options.failOnExposed) {
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
    });
  }
  // Last: nothing after it can fail and leave the endpoint open.
  // prom-client is loaded only by the runs that serve metrics.
  const metrics =
    options.metrics && !options.listTargets
      ? await (await import('./metrics.js')).MetricsServer.start(options.metrics)
      : null;
  if (metrics && !options.quiet) say(`metrics at http://${metrics.address}/metrics`);
  return { plan, outPlan, gate, enricher, cookies, resume, metrics };
}

async function listTargets(
  { plan, outPlan }: Prepared,
  _options: CliOptions,
  io: CliIO,
  say: (line: string) => void,
): Promise<number> {
  const out = await openOutput(outPlan, io.stdout, 0, io.signal);
  for (const chunk of listLines(plan.order)) {
    await out.write(chunk);
    if (out.error || io.signal?.aborted) break;
  }
  return finishPlain(out, io, say, false);
}

/** Ends an output that no checkpoint counts: whole on success or interrupt, removed on failure. */
async function finishPlain(
  out: ReportOutput,
  io: CliIO,
  say: (line: string) => void,
  strict: boolean,
): Promise<number> {
  const error = out.error;
  if (error && error.code !== 'EPIPE') {
    await out.discard();
    say(`cannot write '${out.name}': ${describeFileError(error)}`);
    return EXIT.runtime;
  }
  try {
    await out.complete();
  } catch (failure) {
    await out.discard();
    say((failure as Error).message);
    return EXIT.runtime;
  }
  if (error && strict) {
    say(`the reader of ${out.name} went away (EPIPE): the scan is incomplete`);
    return EXIT.runtime;
  }
  return io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
}

/** A finished run's report: in place, or still the partial if the rename was cut short. */
async function reportInPlace(outPlan: OutputPlan, offset: number): Promise<string | null> {
  if (outPlan.kind !== 'file') return null;
  const dest = outPlan.dest as string;
  const partial = outPlan.partial as string;
  const size = (await stat(partial).catch(() => null))?.size;
  if (size === offset) {
    await rename(partial, dest);
    return null;
  }
  if ((await stat(dest).catch(() => null))?.isFile()) return null;
  return `the checkpoint says the scan is finished, but its report '${outPlan.path}' is missing`;
}

async function runScan(
  prepared: Prepared,
  options: CliOptions,
  io: CliIO,
  say: (line: string) => void,
): Promise<number> {
  const { plan, outPlan, gate, enricher, resume } = prepared;
  const { order } = plan;
  const checkpoint = resume?.checkpoint ?? null;
  const env = io.env ?? {};
  const stats = new Stats();
  /** The first exposures, for the summary's fixes (the rest are counted by stats). */
  const exposures: ScanRecord[] = [];
  const keepExposure = (record: ScanRecord): void => {
    if (record.status === 'epmd' && exposures.length < LISTED_FIXES) exposures.push(record);
  };
  const summary = (interrupted: boolean): void => {
    if (options.quiet) return;
    io.stderr.write(
      renderSummary({
        stats,
        total: order.size,
        interrupted,
        gate: gate?.summary,
        notes: fixNotes(exposures, stats.exposures),
      }),
    );
  };
  const gateCode = (code: number): number => {
    const fresh = gate?.summary.fresh ?? [];
    if (code !== EXIT.ok || !options.failOnExposed || fresh.length === 0) return code;
    if (options.quiet) {
      // Quiet runs stay silent unless something is wrong; a tripped gate is.
      say(`${fresh.length} new exposure(s): ${fresh.map((e) => e.key).join(', ')}`);
    }
    return EXIT.exposed;
  };

  // What earlier parts of a resumed run found, for the gate and summary of the whole run.
  const formatter = formatterFor(options, io.stdout, env);
  if (checkpoint) stats.restore(checkpoint.stats);
  for (const { record } of resume?.found ?? []) {
    gate?.observe(record);
    keepExposure(record);
    formatter.restore?.(record);
  }
  if (checkpoint?.finished) {
    const missing = await reportInPlace(outPlan, checkpoint.offset);
    if (missing) {
      say(missing);
      say(`hint: delete the checkpoint '${resume?.path}' to scan again`);
      return EXIT.usage;
    }
    if (!options.quiet)
      say(`the checkpoint '${resume?.path}' says this scan is complete: nothing to do`);
    summary(false);
    return gateCode(EXIT.ok);
  }

  const { concurrency, clamped } = clampConcurrency(
    options.concurrency,
    io.openFileLimit === undefined ? openFileLimit() : io.openFileLimit,
  );
  if (clamped) {
    say(
      `concurrency lowered from ${options.concurrency} to ${concurrency} to fit the open-file limit (raise it with ulimit -n)`,
    );
  }
  const done = new DoneSet(checkpoint?.completed ?? 0, checkpoint?.done ?? []);
  if (checkpoint) {
    say(`resuming: ${done.count} of ${order.size} targets done already (${resume?.path})`);
  }
  const out = await openOutput(outPlan, io.stdout, checkpoint?.offset ?? 0, io.signal);
  let ledger: Ledger | null = null;
  if (resume) {
    let found: FoundLog;
    try {
      found = await FoundLog.open(foundLogPath(resume.path), checkpoint?.found ?? 0);
    } catch (error) {
      await out.close();
      throw error;
    }
    ledger = new Ledger({
      path: resume.path,
      identity: resume.identity,
      output: out,
      found,
      done,
      offset: checkpoint?.offset ?? 0,
      stats: checkpoint?.stats ?? emptyStats(),
      notable: (r) => r.status === 'epmd' || (gate?.cares(r) ?? false),
    });
  }
  const progress =
    !options.quiet && options.progress && isTerminal(io.stderr)
      ? new Progress(io.stderr, stats, order.size, new Chalk({ level: colorLevel(io.stderr, env) }))
      : null;

  const gauges: ScanGauges = { inFlight: 0, workers: 0 };
  prepared.metrics?.watch({ stats, total: order.size, gauges, checkpoint: ledger ? done : null });
  let failure: Error | null = null;
  try {
    ledger?.start();
    progress?.start();
    // A resumed report has its header already, unless nothing of it was counted.
    if (out.written === 0) await out.write(formatter.header());
    for await (const { position, record } of scanPositioned({
      targets: order,
      startAt: done.mark,
      done: done.above,
      concurrency,
      rate: options.rate,
      workers: options.workers,
      connectTimeout: options.connectTimeout,
      timeout: options.timeout,
      retries: options.retries,
      maxReply: options.maxReply,
      severity: options.severity,
      nodeInfo: options.nodeInfo,
      checkDist: options.checkDist,
      handshake: options.handshake,
      ...prepared.cookies,
      followUpTimeout: options.followUpTimeout,
      enrich: enricher ? (r) => enricher.enrich(r) : undefined,
      signal: io.signal,
      gauges,
    })) {
      stats.add(record);
      keepExposure(record);
      gate?.observe(record);
      await out.write(formatter.format(record));
      ledger?.add(position, record, out.written);
      if (out.error || ledger?.error) break;
    }
  } catch (error) {
    failure = error as Error;
  } finally {
    progress?.stop();
  }
  const interrupted = io.signal?.aborted === true;
  const whole = !interrupted && !failure && !out.error && !ledger?.error;
  // Without a checkpoint an interrupted report is ended as it is, footer and all.
  if (whole || (!ledger && interrupted && !out.error)) await out.write(formatter.footer());

  let code: number;
  if (ledger) {
    await ledger.stop();
    // The report is whole only once every position is counted; a reader that
    // went away may have missed the pipe's last buffer, which is not counted.
    await ledger.commit(!out.error, whole && !out.error);
    await ledger.found().close();
    code = await finishCounted(out, ledger, whole, io, say, options, resume?.path as string);
  } else {
    code = await finishPlain(out, io, say, options.failOnExposed === true);
  }
  if (failure) {
    if (failure instanceof OutputError) say(failure.message);
    else throw failure;
    code = EXIT.runtime;
  }
  summary(interrupted);
  return gateCode(code);
}

/** Ends the output of a run that keeps a checkpoint. */
async function finishCounted(
  out: ReportOutput,
  ledger: Ledger,
  whole: boolean,
  io: CliIO,
  say: (line: string) => void,
  options: CliOptions,
  checkpointPath: string,
): Promise<number> {
  const rerun = 'rerun the same command to continue; what is done is not done again';
  if (ledger.error) {
    await out.close();
    say(`cannot write the checkpoint '${checkpointPath}': ${describeFileError(ledger.error)}`);
    say(`hint: ${rerun} once it can be written`);
    return EXIT.runtime;
  }
  const error = out.error;
  if (error) {
    await out.close();
    if (error.code === 'EPIPE') {
      say(`the reader of ${out.name} went away (EPIPE): the scan is incomplete`);
      say(`hint: ${rerun}`);
      return EXIT.runtime;
    }
    say(`cannot write '${out.name}': ${describeFileError(error)}`);
    say(`hint: ${rerun} (the checkpoint counts only what was written)`);
    return EXIT.runtime;
  }
  if (whole) {
    try {
      await out.complete();
    } catch (failure) {
      say((failure as Error).message);
      return EXIT.runtime;
    }
    return EXIT.ok;
  }
  await out.close();
  if (io.signal?.aborted && !options.quiet) {
    const where = out.kind === 'file' ? `the report so far is in '${out.name}.partial'; ` : '';
    say(`${where}${rerun}`);
  }
  return io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
}
