// The command line: argv and streams in, an exit code out. A thin layer over
// the library; it never calls process.exit, so tests can run it in-process.

import type { Readable, Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { CommanderError } from 'commander';
import { type Enricher, openEnricher } from '../enrich/enricher.js';
import type { ReverseLookup } from '../enrich/ptr.js';
import { UsageError } from '../errors.js';
import { socketPath } from '../net/raw-tcp.js';
import { AtomicFile, OutputError } from '../output/atomic-file.js';
import { csvFormatter } from '../output/csv.js';
import type { Formatter } from '../output/formatter.js';
import { ndjsonFormatter } from '../output/ndjson.js';
import { Sink } from '../output/sink.js';
import { tableFormatter } from '../output/table.js';
import type { ScanRecord } from '../record.js';
import { fixNotes, LISTED_FIXES } from '../report/fixes.js';
import { Gate, readAllowList, readBaseline } from '../report/gate.js';
import { Progress } from '../report/progress.js';
import { renderSummary, Stats } from '../report/summary.js';
import { scanPositioned } from '../scan.js';
import type { HostLookup } from '../targets/expand.js';
import { listLines } from '../targets/order.js';
import { Checkpointer } from '../targets/resume.js';
import { escapeLines, shown } from '../text/escape.js';
import { colorLevel, isTerminal } from './color.js';
import { clampConcurrency, openFileLimit, workersAllowed } from './limits.js';
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

/**
 * Runs the command line; resolves to the exit code. Nothing from outside
 * makes it throw: an error nobody foresaw is one escaped line and exit 3.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    const e = error as Error | undefined;
    const text = `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
    io.stderr.write(`epmd-scan: unexpected error (please report it): ${shown(text, 300)}\n`);
    return EXIT.runtime;
  }
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const say = (line: string): void => {
    io.stderr.write(`epmd-scan: ${escapeLines(line)}\n`);
  };
  const cmd = program(io);
  try {
    cmd.parse(normaliseArgv(argv), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      say(error.message);
      return EXIT.usage;
    }
    throw error;
  }
  const options = cmd.opts<CliOptions>();

  let plan: PlannedTargets;
  let gate: Gate | null = null;
  let enricher: Enricher | null = null;
  try {
    if (options.all && options.format !== 'ndjson') {
      throw new UsageError('--all goes with -f ndjson (CSV and table list exposures only)');
    }
    plan = await planTargets(cmd.args, options, io);
    if (options.baseline || options.allow || options.failOnExposed) {
      gate = new Gate(
        options.baseline ? await readBaseline(options.baseline, options.nodeSeparator) : null,
        options.allow ? await readAllowList(options.allow) : [],
      );
    }
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
  } catch (error) {
    if (error instanceof UsageError) {
      say(error.message);
      if (error.hint) say(`hint: ${error.hint}`);
      if (/^no targets given/.test(error.message)) io.stderr.write(`${EXAMPLES.trimStart()}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (plan.seed?.generated && !options.quiet) {
    say(`shuffle seed ${plan.seed.value} (give --shuffle ${plan.seed.value} to repeat this order)`);
  }

  if (options.listTargets) return listTargets(plan, options, io, say);
  try {
    return await runScan(plan, gate, enricher, options, io, say);
  } finally {
    await enricher?.close();
  }
}

async function listTargets(
  plan: PlannedTargets,
  options: CliOptions,
  io: CliIO,
  say: (line: string) => void,
): Promise<number> {
  let file: AtomicFile | null = null;
  try {
    if (options.output !== undefined) file = await AtomicFile.open(options.output);
  } catch (error) {
    say((error as Error).message);
    return EXIT.runtime;
  }
  const sink = new Sink(file ? file.stream : io.stdout);
  for (const chunk of listLines(plan.order)) {
    await sink.write(chunk);
    if (sink.error || io.signal?.aborted) break;
  }
  return finishOutput(file, sink, io, say);
}

async function finishOutput(
  file: AtomicFile | null,
  sink: Sink,
  io: CliIO,
  say: (line: string) => void,
): Promise<number> {
  try {
    if (file) {
      if (sink.error) throw new OutputError(`cannot write '${file.path}': ${sink.error.message}`);
      await file.commit();
    }
  } catch (error) {
    await file?.discard();
    say((error as Error).message);
    return EXIT.runtime;
  }
  // A reader that stopped reading (`| head`) is not a failure.
  if (sink.error && sink.error.code !== 'EPIPE') {
    say(`cannot write the output: ${sink.error.message}`);
    return EXIT.runtime;
  }
  return io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
}

async function runScan(
  plan: PlannedTargets,
  gate: Gate | null,
  enricher: Enricher | null,
  options: CliOptions,
  io: CliIO,
  say: (line: string) => void,
): Promise<number> {
  const { concurrency, clamped } = clampConcurrency(
    options.concurrency,
    io.openFileLimit === undefined ? openFileLimit() : io.openFileLimit,
  );
  if (clamped) {
    say(
      `concurrency lowered from ${options.concurrency} to ${concurrency} to fit the open-file limit (raise it with ulimit -n)`,
    );
  }
  const sockets = socketPath(io.env ?? {});
  if (sockets.note) say(sockets.note);
  const workers = workersAllowed() ? options.workers : 0;
  if (workers !== options.workers && options.workers !== 0 && options.workers !== 'auto') {
    say('note: probing on the main thread: the permission model allows no worker threads');
  }
  const resuming = plan.startAt > 0;
  if (resuming)
    say(`resuming at ${plan.startAt} of ${plan.order.size} targets (${options.resume})`);

  let file: AtomicFile | null = null;
  try {
    if (options.output !== undefined) {
      file = await AtomicFile.open(options.output, { carryOver: resuming });
    }
  } catch (error) {
    say((error as Error).message);
    return EXIT.runtime;
  }
  const out = file ? file.stream : io.stdout;
  const sink = new Sink(out);
  const env = io.env ?? {};
  const formatter = formatterFor(options, out, env);
  const stats = new Stats();
  /** The first exposures, for the summary's fixes (the rest are counted by stats). */
  const exposures: ScanRecord[] = [];
  const total = plan.order.size - plan.startAt;
  const progress =
    !options.quiet && options.progress && isTerminal(io.stderr)
      ? new Progress(io.stderr, stats, total, new Chalk({ level: colorLevel(io.stderr, env) }))
      : null;
  const checkpoint = options.resume
    ? new Checkpointer(options.resume, plan.order, plan.startAt, plan.seed?.value ?? null)
    : null;

  try {
    checkpoint?.start();
    progress?.start();
    // A resumed report already has its header (carried over, or on stdout earlier).
    if (!resuming) await sink.write(formatter.header());
    for await (const { position, record } of scanPositioned({
      targets: plan.order,
      startAt: plan.startAt,
      concurrency,
      rate: options.rate,
      workers,
      connectTimeout: options.connectTimeout,
      timeout: options.timeout,
      retries: options.retries,
      maxReply: options.maxReply,
      severity: options.severity,
      nodeInfo: options.nodeInfo,
      checkDist: options.checkDist,
      handshake: options.handshake,
      portableSockets: sockets.portable,
      enrich: enricher ? (r) => enricher.enrich(r) : undefined,
      signal: io.signal,
    })) {
      stats.add(record);
      if (record.status === 'epmd' && exposures.length < LISTED_FIXES) exposures.push(record);
      gate?.observe(record);
      await sink.write(formatter.format(record));
      if (sink.error) break;
      checkpoint?.complete(position);
    }
    progress?.stop();
    await sink.write(formatter.footer());
    await checkpoint?.close();
  } catch (error) {
    progress?.stop();
    await file?.discard();
    if (error instanceof OutputError || (error as NodeJS.ErrnoException).code !== undefined) {
      say((error as Error).message);
      return EXIT.runtime;
    }
    throw error;
  }
  const code = await finishOutput(file, sink, io, say);
  const interrupted = io.signal?.aborted === true;
  if (!options.quiet) {
    io.stderr.write(
      renderSummary({
        stats,
        total,
        interrupted,
        gate: gate?.summary,
        notes: fixNotes(exposures, stats.exposures),
      }),
    );
  }
  const fresh = gate?.summary.fresh ?? [];
  if (code !== EXIT.ok || !options.failOnExposed || fresh.length === 0) return code;
  if (options.quiet) {
    // Quiet runs stay silent unless something is wrong; a tripped gate is.
    say(`${fresh.length} new exposure(s): ${fresh.map((e) => e.key).join(', ')}`);
  }
  return EXIT.exposed;
}
