// The command line: argv and streams in, an exit code out. A thin layer over
// the library; it never calls process.exit, so tests can run it in-process.

import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.js';
import { AtomicFile, OutputError } from '../output/atomic-file.js';
import { csvFormatter } from '../output/csv.js';
import type { Formatter } from '../output/formatter.js';
import { Sink } from '../output/sink.js';
import type { Severity } from '../record.js';
import { DEFAULTS, scan } from '../scan.js';
import { expandTargets } from '../targets/expand.js';
import { clampConcurrency, openFileLimit } from './limits.js';
import { integer, nonEmpty, portList, severity } from './options.js';

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
}

export const EXIT = { ok: 0, exposed: 1, usage: 2, runtime: 3, interrupted: 130 } as const;

const FORMATS = ['csv'] as const;

const EXAMPLES = `
Examples:
  epmd-scan 127.0.0.1                      scan this machine, CSV on stdout
  epmd-scan 192.0.2.0/24 -o report.csv     a /24, report written atomically
  epmd-scan 192.0.2.10-50 -p 4369,14369    a range, two ports
  epmd-scan 2001:db8::/120 -c 200          IPv6, at most 200 probes at once

Exit codes: 0 done, 1 exposure found (--fail-on-exposed), 2 bad usage or input
(nothing scanned), 3 runtime failure (e.g. output not writable), 130 interrupted.`;

interface CliOptions {
  port: number[];
  concurrency: number;
  connectTimeout: number;
  timeout: number;
  retries: number;
  rate?: number;
  maxReply: number;
  resolve: boolean;
  output?: string;
  format: (typeof FORMATS)[number];
  nodeSeparator: string;
  severity: Severity;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function program(io: CliIO): Command {
  return new Command()
    .name('epmd-scan')
    .description(
      'Find exposed Erlang Port Mapper Daemons (EPMD) and report them as Shadowserver scan_epmd rows.',
    )
    .version(version(), '-V, --version')
    .argument(
      '[targets...]',
      'IPv4/IPv6 addresses, CIDRs, ranges (a.b.c.d-e or a.b.c.d-e.f.g.h), hostnames',
    )
    .option('-p, --port <ports>', 'TCP port(s) to probe, comma-separated', portList, [
      DEFAULTS.port,
    ])
    .option(
      '-c, --concurrency <n>',
      'probes in flight at once',
      integer(1, 1_000_000),
      DEFAULTS.concurrency,
    )
    .option('--rate <n>', 'new connections per second at most (default: unlimited)', integer(1))
    .option(
      '--connect-timeout <ms>',
      'time to establish a connection',
      integer(1, 600_000),
      DEFAULTS.connectTimeout,
    )
    .option(
      '--timeout <ms>',
      'time for the whole probe of one target',
      integer(1, 600_000),
      DEFAULTS.timeout,
    )
    .option(
      '--retries <n>',
      'extra tries after a connect timeout',
      integer(0, 10),
      DEFAULTS.retries,
    )
    .option(
      '--max-reply <bytes>',
      'stop reading a reply past this size (marked truncated)',
      integer(64, 16 * 1024 * 1024),
      DEFAULTS.maxReply,
    )
    .option('-n, --no-resolve', 'no reverse DNS for exposed hosts')
    .option(
      '-o, --output <file>',
      'write results to <file> (atomically: a temporary file renamed at the end)',
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('csv'))
    .option('--node-separator <s>', 'between nodes in the CSV nodes field', nonEmpty(16), ';')
    .option(
      '--severity <level>',
      'severity of each row (critical, high, medium, low, info)',
      severity,
      'high' as Severity,
    )
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(run epmd-scan --help for usage and examples)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
}

function formatterFor(options: CliOptions): Formatter {
  return csvFormatter({ nodeSeparator: options.nodeSeparator });
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const cmd = program(io);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  const options = cmd.opts<CliOptions>();
  const specs = cmd.args;
  const say = (line: string): void => {
    io.stderr.write(`epmd-scan: ${line}\n`);
  };

  if (specs.length === 0) {
    say('no targets given: name at least one address, CIDR, range or hostname.');
    io.stderr.write(`${EXAMPLES.trimStart()}\n`);
    return EXIT.usage;
  }

  let space: Awaited<ReturnType<typeof expandTargets>>;
  try {
    space = await expandTargets(specs);
  } catch (error) {
    if (error instanceof UsageError) {
      say(error.message);
      if (error.hint) say(`hint: ${error.hint}`);
      return EXIT.usage;
    }
    throw error;
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

  let file: AtomicFile | null = null;
  if (options.output !== undefined) {
    try {
      file = await AtomicFile.open(options.output);
    } catch (error) {
      say((error as Error).message);
      return EXIT.runtime;
    }
  }
  const sink = new Sink(file ? file.stream : io.stdout);
  const formatter = formatterFor(options);

  try {
    await sink.write(formatter.header());
    for await (const record of scan({
      targets: space,
      ports: options.port,
      concurrency,
      rate: options.rate,
      connectTimeout: options.connectTimeout,
      timeout: options.timeout,
      retries: options.retries,
      maxReply: options.maxReply,
      severity: options.severity,
      signal: io.signal,
    })) {
      await sink.write(formatter.format(record));
      if (sink.error) break;
    }
    await sink.write(formatter.footer());
    if (file) {
      if (sink.error) throw new OutputError(`cannot write '${file.path}': ${sink.error.message}`);
      await file.commit();
    }
  } catch (error) {
    await file?.discard();
    if (error instanceof OutputError) {
      say(error.message);
      return EXIT.runtime;
    }
    throw error;
  }
  if (sink.error && sink.error.code !== 'EPIPE') {
    say(`cannot write the output: ${sink.error.message}`);
    return EXIT.runtime;
  }
  return io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
}
