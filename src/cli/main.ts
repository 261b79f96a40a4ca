// The command line: argv and streams in, an exit code out. A thin layer over
// the library; it never calls process.exit, so tests can run it in-process.

import { CommanderError } from 'commander';
import { COOKIE_WARNING } from '../app/cookies.js';
import { endOutputs, formattersOf, openOutputs } from '../app/outputs.js';
import { type Prepared, type PrepareIO, prepare } from '../app/prepare.js';
import type { ReportOptions, RunOptions } from '../app/run-options.js';
import { EXIT, runScan, type ScanIO } from '../app/run-scan.js';
import { Interrupted, UsageError } from '../errors.js';
import type { FileLock } from '../output/lock.js';
import { listLines } from '../targets/order.js';
import { listStream, type TargetStream } from '../targets/stream.js';
import { escapeLines, shown } from '../text/escape.js';
import { takeHabits } from './habits.js';
import { examplesText } from './help-text.js';
import { type CliOptions, normaliseArgv, program, takesValue } from './program.js';
import { runOptions } from './run-options.js';

export { EXIT } from '../app/run-scan.js';

/** What the CLI reads and writes; the bin passes the process's own. */
export interface CliIO extends ScanIO, PrepareIO {
  /** Aborted on Ctrl-C: the scan stops, results so far are written, exit 130. */
  signal?: AbortSignal;
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
  // The extras are loaded only when asked for: a scan starts without them.
  if (argv[0] === 'completion') {
    return (await import('./extras.js')).completionCommand(argv, io) ?? EXIT.usage;
  }
  const cmd = program(io);
  try {
    // nmap's and masscan's flags first: -oX out.xml is not -o X plus a target.
    cmd.parse(normaliseArgv(takeHabits(argv, takesValue(cmd))), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      say(error.message);
      if (error.hint) say(`hint: ${error.hint}`);
      return EXIT.usage;
    }
    throw error;
  }
  const options = cmd.opts<CliOptions>();
  if (options.version) {
    return (await import('./extras.js')).printVersion(
      io.stdout,
      options.verbose === true,
      io.env ?? {},
    );
  }
  // Usage errors and signals before the first packet: nothing was scanned.
  const refuse = (error: unknown): number => {
    if (error instanceof Interrupted) {
      say('interrupted before the scan began: nothing was scanned');
      return EXIT.interrupted;
    }
    if (!(error instanceof UsageError)) throw error;
    say(error.message);
    if (error.hint) say(`hint: ${error.hint}`);
    if (/^no targets given/.test(error.message)) io.stderr.write(`${examplesText()}\n`);
    return EXIT.usage;
  };
  // Read once: everything after this looks at the run's options, not the flags.
  let run: RunOptions;
  try {
    run = runOptions(options, (key) => cmd.getOptionValueSource(key), io.env ?? {}, cmd.args);
  } catch (error) {
    return refuse(error);
  }
  const { quiet } = run.report;
  const locks: FileLock[] = [];
  let prepared: Prepared;
  try {
    prepared = await prepare(cmd.args, run, io, say, locks);
  } catch (error) {
    for (const lock of locks) await lock.release();
    return refuse(error);
  }
  const { plan } = prepared;
  if (plan.seed?.generated && !quiet) {
    say(`shuffle seed ${plan.seed.value} (give --shuffle ${plan.seed.value} to repeat this order)`);
  }
  if (prepared.probe.checks.checkCookies && !quiet) say(`warning: ${COOKIE_WARNING}`);
  try {
    if (run.targets.listTargets) return await listTargets(prepared, run.report, io, say);
    return await runScan(prepared, run, io, say);
  } catch (error) {
    // Opening a report or the found-log is still before the first packet.
    return refuse(error);
  } finally {
    await prepared.enricher?.close();
    await prepared.metrics?.close();
    for (const lock of locks) await lock.release();
  }
}

/** --list-targets: the final list, written as any report is. */
async function listTargets(
  prepared: Prepared,
  options: ReportOptions,
  io: CliIO,
  say: (line: string) => void,
): Promise<number> {
  const formatters = formattersOf(
    prepared.outputs,
    { ...options, probe: prepared.probe.kind },
    io.stdout,
    io.env ?? {},
  );
  const outputs = await openOutputs(prepared.outputs, formatters, io.stdout, null, io.signal);
  const { order, stream: arriving } = prepared.plan;
  const chunks = order ? listLines(order) : listStream(arriving as TargetStream);
  stream: for await (const chunk of chunks) {
    for (const { out } of outputs) {
      await out.write(chunk);
      if (out.error || io.signal?.aborted) break stream;
    }
  }
  const { code } = await endOutputs(outputs, { whole: true, counted: false }, say);
  if (code !== EXIT.ok) return code;
  return io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
}
