// The command line's flags and help text: the one flag table --help, the man
// page and the completions are made from (a test checks the README's against it).

import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import type { HostPort } from '../app/run-options.js';
import type { SourceAddresses } from '../net/source.js';
import { FORMATS, type Format } from '../output/formatter.js';
import { probeKinds } from '../probes/registry.js';
import { SEVERITIES, type Severity } from '../record.js';
import { FAIL_ON, type FailOn } from '../report/fail-on.js';
import { DEFAULTS } from '../scan/plan.js';
import { parseShard, type Shard } from '../targets/order.js';
import { escapeLines, shown } from '../text/escape.js';
import { helpAfter } from './help-text.js';
import {
  fileName,
  fileNames,
  hostPort,
  integer,
  nodeSeparator,
  oneOf,
  severity,
  sourceIps,
  timeSpan,
  usageParser,
  workerThreads,
} from './options.js';
import { failOnList, portsOption, singleValued } from './repeat.js';

/** Parsed options, as commander gives them. */
export interface CliOptions {
  inputFile?: string[];
  exclude?: string[];
  excludeFile?: string[];
  listTargets?: boolean;
  shuffle?: string | boolean;
  shard?: Shard;
  resume?: string;
  port: number[];
  probe: string;
  concurrency?: number;
  connectTimeout: number;
  timeout: number;
  retries: number;
  rate: number;
  sourceIp?: SourceAddresses;
  workers: number | 'auto';
  maxReply: number;
  resolve: boolean;
  nodeInfo?: boolean;
  checkDist?: boolean;
  handshake?: boolean;
  checkCookies?: boolean | string;
  cookieAttempts: number;
  followUpTimeout: number;
  cityDb?: string;
  asnDb?: string;
  assetMap?: string;
  output?: string;
  format: Format;
  /** --csv, --ndjson, --table, --html, --sarif: a report of that format each. */
  csv?: string;
  ndjson?: string;
  table?: string;
  html?: string;
  sarif?: string;
  /** -oA <prefix>: the CSV, NDJSON, HTML and SARIF reports at once. */
  outputAll?: string;
  all?: boolean;
  nodeSeparator: string;
  severity: Severity;
  failOnExposed?: boolean;
  failOn?: FailOn[];
  baseline?: string;
  allow?: string;
  quiet?: boolean;
  progress: boolean;
  /** --stats-every, in ms (0: none); undefined when not given. */
  statsEvery?: number;
  version?: boolean;
  verbose?: boolean;
  metrics?: HostPort;
}

/** The package's version, read from package.json beside dist/. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Commander's error line with every value it quotes from argv escaped and cut
 * short (a value may hold control bytes or be megabytes long).
 */
export function safeCommanderError(message: string): string {
  return escapeLines(
    message.replace(
      /(argument|option|command|choice) '([\s\S]*?)'(?= is invalid|\.|\n|$)/g,
      (_m, what: string, value: string) => `${what} '${shown(value)}'`,
    ),
  );
}

/** nmap's two-letter `-iL`, which commander cannot declare, shown in the help as such. */
function inputFileOption(): Option {
  const option = new Option(
    '--input-file <file>',
    'read target specs from <file>, one or more per line (- = stdin); repeatable',
  ).argParser(fileNames);
  option.flags = '-iL, --input-file <file>';
  return option;
}

/** nmap's `-oA`, declared as --output-all and shown in the help as both. */
function outputAllOption(): Option {
  const option = new Option(
    '--output-all <prefix>',
    'write <prefix>.csv, <prefix>.ndjson, <prefix>.html and <prefix>.sarif; a folder (ending in /) gets YYYY-MM-DD-scan_epmd-epmd-scan.* names, as IntelMQ expects',
  ).argParser(singleValued('-oA', fileName));
  option.flags = '-oA, --output-all <prefix>';
  return option;
}

/** -p's default as --help says it: 4369, and each kind's own ports (--probe dist: 25672,...). */
function portsDefault(): string {
  const own = probeKinds()
    .filter((k) => k.ports)
    .map((k) => `--probe ${k.name}: ${portRanges(k.ports ?? [])}`);
  return [String(DEFAULTS.port), ...own].join('; ');
}

/** Ports as -p takes them, runs written as ranges: 25672,4370-4375,9100-9105. */
export function portRanges(ports: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ports.length; i++) {
    let j = i;
    while (j + 1 < ports.length && ports[j + 1] === (ports[j] as number) + 1) j++;
    out.push(j > i ? `${ports[i]}-${ports[j]}` : String(ports[i]));
    i = j;
  }
  return out.join(',');
}

/** --probe: the registered probe kinds, each with what it asks. */
function probeOption(): Option {
  const kinds = probeKinds();
  const what = kinds.map((k) => `${k.name}: ${k.describe}`).join('; ');
  return new Option('--probe <kind>', `what to ask each target (${what})`)
    .choices(kinds.map((k) => k.name))
    .argParser(singleValued('--probe', oneOf(kinds.map((k) => k.name))))
    .default(DEFAULTS.probe);
}

/** nmap's two-letter options, which commander cannot declare. */
const TWO_LETTER: Record<string, string> = { '-iL': '--input-file', '-oA': '--output-all' };

/** Rewrites `-iL x` / `-iLx` (and `-oA`) to their long names before commander sees argv. */
export function normaliseArgv(argv: string[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const arg of argv) {
    const short = arg.slice(0, 3);
    const long = TWO_LETTER[short];
    if (rest || arg === '--') {
      rest = true;
      out.push(arg);
    } else if (long && arg === short) out.push(long);
    else if (long) out.push(`${long}=${arg.slice(3).replace(/^=/, '')}`);
    else out.push(arg);
  }
  return out;
}

/** Whether `arg` is a flag whose value is the next word (`-o file`, `-iL file`). */
export function takesValue(cmd: Command): (arg: string) => boolean {
  const flags = new Set<string>(Object.keys(TWO_LETTER));
  for (const o of cmd.options) {
    if (!o.required) continue;
    if (o.short) flags.add(o.short);
    if (o.long) flags.add(o.long);
  }
  return (arg) => flags.has(arg);
}

export function program(out: { stdout: Writable; stderr: Writable }): Command {
  return new Command()
    .name('epmd-scan')
    .description(
      'Find exposed Erlang Port Mapper Daemons (EPMD) and report them as Shadowserver scan_epmd rows.',
    )
    .option('-V, --version', 'print the version and exit (with --verbose: Node, sockets, workers)')
    .option(
      '-v, --verbose',
      "during a scan: a line on stderr for each exposure and each error as it happens; with --version: also Node's version, the connect path and the workers auto picks",
    )
    .argument(
      '[targets...]',
      'addresses, CIDRs, ranges (a.b.c.d-e, a.b.c.d-e.f.g.h), hostnames, masscan -oL lines, @local',
    )
    .addOption(inputFileOption())
    .option('--exclude <specs>', 'never probe these (comma-separated specs); repeatable', collect)
    .option('--exclude-file <file>', 'never probe the targets in <file>; repeatable', fileNames)
    .option('--list-targets', 'print the final target list and exit, sending no packet')
    .option('--shuffle [seed]', 'probe in a pseudo-random order, the same for the same seed')
    .option(
      '--shard <i/n>',
      'probe only shard i of n (1-based); shards are disjoint and cover all',
      singleValued('--shard', usageParser(parseShard)),
    )
    .option(
      '--resume <file>',
      'keep a checkpoint in <file>; rerun with the same arguments to continue',
      singleValued('--resume', fileName),
    )
    .addOption(
      new Option(
        '-p, --port <ports>',
        'TCP port(s) to probe: 4369, 4369,14369 or 4360-4370; repeatable',
      )
        .argParser(portsOption())
        .default([DEFAULTS.port], portsDefault()),
    )
    .addOption(probeOption())
    .option(
      '-c, --concurrency <n>',
      'probes in flight at once (default: --rate x --connect-timeout, within the open-file limit)',
      singleValued('-c', integer(1, 1_000_000)),
    )
    .option(
      '--rate <n>',
      'new connections per second at most (probes and follow-ups); 0 = unpaced',
      singleValued('--rate', integer(0, 100_000_000)),
      DEFAULTS.rate,
    )
    .option(
      '-S, --source-ip <addr>',
      "bind every connection (follow-ups too) to this local address: one IPv4 and/or one IPv6 (repeat -S for the other family); targets of a family without one use the system's choice",
      sourceIps,
    )
    .option(
      '--workers <n>',
      'threads to probe in: auto = one per core when there are 8192+ targets; 0 = this thread',
      singleValued('--workers', workerThreads),
      DEFAULTS.workers,
    )
    .option(
      '--connect-timeout <ms>',
      'time to establish a connection',
      singleValued('--connect-timeout', integer(1, 600_000)),
      DEFAULTS.connectTimeout,
    )
    .option(
      '--timeout <ms>',
      'time for the whole probe of one target',
      singleValued('--timeout', integer(1, 600_000)),
      DEFAULTS.timeout,
    )
    .option(
      '--retries <n>',
      'extra tries after a connect timeout',
      singleValued('--retries', integer(0, 10)),
      DEFAULTS.retries,
    )
    .option(
      '--max-reply <bytes>',
      'stop reading a reply past this size, 64 B to 16 MiB (marked truncated)',
      singleValued('--max-reply', integer(64, 16 * 1024 * 1024)),
      DEFAULTS.maxReply,
    )
    .option(
      '--node-info',
      'PORT_PLEASE2 for each listed node: type, protocol, distribution versions',
    )
    .option('--check-dist', "TCP connect to each node's distribution port: is it reachable?")
    .option(
      '--handshake',
      "TOUCHES THE NODE: start the distribution handshake (send_name) to read each node's full name and flags; closes before authenticating, never sends a cookie",
    )
    .option(
      '--check-cookies [file]',
      "WARNING: AUTHENTICATES TO THE NODE when a cookie is right; only for systems you are authorised to test. Implies --handshake; where it says ok, completes the handshake with default cookies (monster, the empty cookie, the node's short name, ...) or the cookies in [file] (one per line, never printed), and closes on the node's acknowledgement without sending anything more",
    )
    .option(
      '--cookie-attempts <n>',
      'cookies tried per node at most (one connection each)',
      integer(1, 100),
      DEFAULTS.cookieAttempts,
    )
    .option(
      '--follow-up-timeout <ms>',
      "time for all of one EPMD's follow-ups together (--node-info, --check-dist, --handshake, --check-cookies); what is cut short is named in follow_ups_cut",
      integer(1, 600_000),
      DEFAULTS.followUpTimeout,
    )
    .option('-n, --no-resolve', 'no reverse DNS for exposed hosts')
    .option(
      '--city-db <file.mmdb>',
      'GeoLite2/GeoIP2/DB-IP City database: geo, region, city (env EPMD_SCAN_CITY_DB)',
      singleValued('--city-db', fileName),
    )
    .option(
      '--asn-db <file.mmdb>',
      'GeoLite2/DB-IP ASN database: asn (env EPMD_SCAN_ASN_DB)',
      singleValued('--asn-db', fileName),
    )
    .option(
      '--asset-map <file.csv>',
      'cidr,sector,naics rows for your own ranges: sector, naics',
      singleValued('--asset-map', fileName),
    )
    .option(
      '-o, --output <file>',
      'write the -f report to <file> (atomically: <file>.partial renamed at the end)',
      singleValued('-o'),
    )
    .addOption(
      new Option(
        '-f, --format <format>',
        'output format for -o or stdout (ndjson: one record a line, described by schema/record.schema.json in the package)',
      )
        .choices(FORMATS)
        .argParser(singleValued('-f', oneOf(FORMATS)))
        .default('csv'),
    )
    .option('--csv <file>', 'also write the CSV report to <file>', singleValued('--csv', fileName))
    .option(
      '--ndjson <file>',
      'also write the NDJSON report to <file>',
      singleValued('--ndjson', fileName),
    )
    .option('--table <file>', 'also write the table to <file>', singleValued('--table', fileName))
    .option(
      '--html <file>',
      'also write the HTML report to <file>',
      singleValued('--html', fileName),
    )
    .option(
      '--sarif <file>',
      'also write the SARIF 2.1.0 report (for code scanning: upload-sarif) to <file>',
      singleValued('--sarif', fileName),
    )
    .addOption(outputAllOption())
    .option('--all', 'ndjson: a record for every target, not only exposed EPMDs')
    .option(
      '--node-separator <s>',
      'between nodes in the CSV nodes field: 1-4 punctuation characters or spaces, not , \\ or "',
      singleValued('--node-separator', nodeSeparator),
      ';',
    )
    .addOption(
      new Option(
        '--severity <level>',
        'severity of each exposure row (a reached node or an accepted cookie raises it to the first)',
      )
        .choices(SEVERITIES)
        .argParser(singleValued('--severity', severity))
        .default(DEFAULTS.severity),
    )
    .option(
      '--fail-on-exposed',
      'exit 1 on a new exposure (neither in --baseline nor --allow) or a new node on a known one: --fail-on new-exposure,new-node',
    )
    .option(
      '--fail-on <kinds>',
      `exit 1 on any of: ${FAIL_ON.join(', ')} (comma-separated)`,
      singleValued('--fail-on', failOnList),
    )
    .option(
      '--baseline <report.csv>',
      'an earlier scan_epmd report: its exposures are not new; the summary lists new, gone and changed ones',
      singleValued('--baseline', fileName),
    )
    .option(
      '--allow <file>',
      'accepted exposures: an ip, ip:port, [v6]:port or CIDR per line (# comments)',
      singleValued('--allow', fileName),
    )
    .addOption(
      new Option(
        '-q, --quiet',
        'print nothing on stderr but errors, what tripped the gate (a line per kind) and a warning that a database value was left empty: no progress, no summary, no note (a --stats-every given still prints)',
      ).conflicts('verbose'),
    )
    .option(
      '--no-progress',
      'no progress line on a terminal, and no stats lines unless --stats-every is given',
    )
    .option(
      '--stats-every <time>',
      'a line of progress on stderr at this interval, terminal or not (30s, 5m; 0: none): done/total, rate, in flight, exposures, ETA. Not given: every 1m when stderr is not a terminal; none on a terminal, with -q or with --no-progress',
      singleValued('--stats-every', timeSpan),
    )
    .option(
      '--metrics <host:port>',
      'serve Prometheus metrics at http://<host:port>/metrics while scanning (port 0: any free port, printed on stderr)',
      hostPort,
    )
    .addHelpText('after', helpAfter())
    .showHelpAfterError('(run epmd-scan --help for usage and examples)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.stdout.write(s),
      writeErr: (s) => out.stderr.write(s),
      outputError: (s, write) => write(safeCommanderError(s)),
    });
}
