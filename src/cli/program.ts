// The command line's flags and help text: the one flag table --help, the man
// page and the completions are made from (a test checks the README's against it).

import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import type { HostPort } from '../app/run-options.js';
import type { SourceAddresses } from '../net/source.js';
import { FORMATS, type Format } from '../output/formatter.js';
import type { Severity } from '../record.js';
import { FAIL_ON, type FailOn } from '../report/gate.js';
import { DEFAULTS } from '../scan/options.js';
import { parseShard, type Shard } from '../targets/order.js';
import { escapeLines, shown } from '../text/escape.js';
import {
  fileName,
  fileNames,
  hostPort,
  integer,
  nodeSeparator,
  oneOf,
  severity,
  sourceIps,
  usageParser,
  workerThreads,
} from './options.js';
import { failOnList, portsOption, singleValued } from './repeat.js';

export const EXAMPLES = `
Examples:
  epmd-scan 127.0.0.1                          scan this machine, CSV on stdout
  epmd-scan @local                             every address of this machine's interfaces
  epmd-scan 192.0.2.0/24 -o report.csv         a /24, report written atomically
  epmd-scan 192.0.2.10-50 -p 4369,14369        a range, two ports
  epmd-scan -iL staging.txt --exclude 192.0.2.1
  zmap -p 4369 -q | epmd-scan -iL -            feed a zmap or masscan sweep
  epmd-scan 10.0.0.0/8 --shuffle s1 --shard 2/8 --resume shard2.ckpt
  epmd-scan 192.0.2.0/24 -f table              a table for people
  epmd-scan 192.0.2.0/24 -S 192.0.2.250        connect from this address of this host
  epmd-scan -iL staging.txt --baseline accepted.csv --fail-on-exposed -q

Exit codes: 0 done (gate not tripped), 1 new exposure with --fail-on-exposed,
2 bad usage or input (nothing scanned), 3 runtime failure (e.g. output not
writable), 130 interrupted (results so far written).

Input: lines of at most 64 KiB in target files, stdin, allow-lists and asset
maps, 64 MiB in baselines. IPv4 is the dotted quad a.b.c.d only (0x7f000001,
012.0.0.1 and 127.1 are refused, never resolved).
Environment: EPMD_SCAN_CITY_DB, EPMD_SCAN_ASN_DB; EPMD_SCAN_PORTABLE_SOCKETS=1
connects with net.connect (what flags such as --throw-deprecation force);
EPMD_SCAN_PORTABLE=1 also leaves stack traces and the heap to Node.`;

export const COMPLETION_HELP = `
Shell completion: epmd-scan completion bash|zsh|fish prints a script, e.g.
  source <(epmd-scan completion bash)          in ~/.bashrc
  epmd-scan completion fish | source           in ~/.config/fish/config.fish
(a target named 'completion' goes after --: epmd-scan -- completion)`;

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
  /** --csv, --ndjson, --table, --html: a report of that format each. */
  csv?: string;
  ndjson?: string;
  table?: string;
  html?: string;
  /** -oA <prefix>: the CSV, NDJSON and HTML reports at once. */
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
    'write <prefix>.csv, <prefix>.ndjson and <prefix>.html; a folder (ending in /) gets YYYY-MM-DD-scan_epmd-epmd-scan.* names, as IntelMQ expects',
  ).argParser(singleValued('-oA', fileName));
  option.flags = '-oA, --output-all <prefix>';
  return option;
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

export function program(out: { stdout: Writable; stderr: Writable }): Command {
  return new Command()
    .name('epmd-scan')
    .description(
      'Find exposed Erlang Port Mapper Daemons (EPMD) and report them as Shadowserver scan_epmd rows.',
    )
    .option('-V, --version', 'print the version and exit (with --verbose: Node, sockets, workers)')
    .option(
      '--verbose',
      "with --version: also Node's version, the connect path and the workers auto picks",
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
        .default([DEFAULTS.port], String(DEFAULTS.port)),
    )
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
      'auto' as const,
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
    .addOption(outputAllOption())
    .option('--all', 'ndjson: a record for every target, not only exposed EPMDs')
    .option(
      '--node-separator <s>',
      'between nodes in the CSV nodes field: 1-4 punctuation characters or spaces, not , \\ or "',
      singleValued('--node-separator', nodeSeparator),
      ';',
    )
    .option(
      '--severity <level>',
      'severity of each row (critical, high, medium, low, info)',
      singleValued('--severity', severity),
      DEFAULTS.severity,
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
    .option(
      '-q, --quiet',
      'print nothing on stderr but errors and what tripped the gate, a line per kind (no progress, no summary)',
    )
    .option('--no-progress', 'no progress line, even on a terminal')
    .option(
      '--metrics <host:port>',
      'serve Prometheus metrics at http://<host:port>/metrics while scanning (port 0: any free port, printed on stderr)',
      hostPort,
    )
    .addHelpText('after', EXAMPLES)
    .addHelpText('after', COMPLETION_HELP)
    .showHelpAfterError('(run epmd-scan --help for usage and examples)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.stdout.write(s),
      writeErr: (s) => out.stderr.write(s),
      outputError: (s, write) => write(safeCommanderError(s)),
    });
}
