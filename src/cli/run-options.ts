// The command line, read once into the four parts a run is made of
// (src/app/run-options.ts): what to scan, how each target is probed, how many
// at once, and what is reported. The probe settings are resolved by the same
// function as the library's scan() options (src/scan/plan.ts), which applies
// the defaults: only the values given on the command line are passed to it.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import { type OutputSpec, outputAllPaths, type RunOptions } from '../app/run-options.js';
import { DEFAULT_FAIL_ON } from '../report/fail-on.js';
import { socketPath } from '../runtime/raw-tcp.js';
import { resolvePool, resolvePorts, resolveProbe } from '../scan/plan.js';
import { type CliOptions, packageVersion } from './program.js';

/** Where commander says an option's value came from: `cli`, `env`, `default`, ... */
export type ValueSource = (key: keyof CliOptions) => string | undefined;

/** Reads parsed flags once; `source` tells a value given from a default (the plan applies those). */
export function runOptions(
  o: CliOptions,
  source: ValueSource,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): RunOptions {
  const given = <K extends keyof CliOptions>(key: K): CliOptions[K] | undefined =>
    source(key) === 'default' ? undefined : o[key];
  return {
    targets: {
      inputFile: o.inputFile,
      exclude: o.exclude,
      excludeFile: o.excludeFile,
      shuffle: o.shuffle,
      shard: o.shard,
      resume: o.resume,
      port: resolvePorts(given('port'), given('probe')),
      listTargets: o.listTargets === true,
    },
    probe: resolveProbe({
      probe: given('probe'),
      connectTimeout: given('connectTimeout'),
      timeout: given('timeout'),
      retries: given('retries'),
      maxReply: given('maxReply'),
      severity: given('severity'),
      followUpTimeout: given('followUpTimeout'),
      nodeInfo: o.nodeInfo,
      checkDist: o.checkDist,
      handshake: o.handshake,
      checkCookies: o.checkCookies !== undefined && o.checkCookies !== false,
      cookieAttempts: given('cookieAttempts'),
      rate: o.rate,
      sourceIps: o.sourceIp,
      portableSockets: socketPath(env).portable,
    }),
    cookieFile: typeof o.checkCookies === 'string' ? o.checkCookies : undefined,
    pool: resolvePool({ concurrency: given('concurrency'), workers: given('workers') }),
    report: {
      outputs: outputSpecs(o, source('format') === 'cli'),
      outputAll: o.outputAll,
      all: o.all === true,
      nodeSeparator: o.nodeSeparator,
      resume: o.resume,
      failOn: o.failOn ?? (o.failOnExposed ? DEFAULT_FAIL_ON : undefined),
      baseline: o.baseline,
      allow: o.allow,
      enrich: {
        cityDb: o.cityDb ?? (env.EPMD_SCAN_CITY_DB || undefined),
        asnDb: o.asnDb ?? (env.EPMD_SCAN_ASN_DB || undefined),
        assetMap: o.assetMap,
        resolve: o.resolve,
      },
      quiet: o.quiet === true,
      progress: o.progress,
      statsEvery: o.statsEvery,
      verbose: o.verbose === true,
      metrics: o.metrics,
      version: packageVersion(),
      sarifLocation: sarifLocation(o.inputFile),
      scope: scopeText(args, o),
    },
  };
}

/**
 * The reports asked for: `-o` in the `-f` format, `--csv` and the like,
 * `-oA`; stdout in the `-f` format when no file was named (or -f was given
 * with files but no -o).
 */
export function outputSpecs(options: CliOptions, formatGiven = false): OutputSpec[] {
  const specs: OutputSpec[] = [];
  if (options.output !== undefined) {
    specs.push({ format: options.format, path: options.output, flag: '-o' });
  }
  for (const format of ['csv', 'ndjson', 'table', 'html', 'sarif'] as const) {
    const path = options[format];
    if (path !== undefined) specs.push({ format, path, flag: `--${format}` });
  }
  if (options.outputAll !== undefined) {
    const paths = outputAllPaths(options.outputAll);
    for (const format of ['csv', 'ndjson', 'html', 'sarif'] as const)
      specs.push({ format, path: paths[format], flag: '-oA' });
  }
  if (specs.length === 0 || (formatGiven && options.output === undefined)) {
    specs.push({ format: options.format, path: undefined });
  }
  return specs;
}

/**
 * Where code scanning shows the SARIF findings: the first target file (-iL),
 * as a path relative to the working directory (a repository's root in CI);
 * undefined when the targets came from the command line or stdin.
 */
export function sarifLocation(
  inputFiles: string[] | undefined,
  cwd = process.cwd(),
): string | undefined {
  const file = inputFiles?.find((f) => f !== '-');
  if (file === undefined) return undefined;
  const rel = relative(cwd, resolve(cwd, file));
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** Specs a report's scope names; the rest are counted. */
const SCOPE_SPECS = 20;

/** The targets as given, in words, for a report's scope: specs, files, excludes, shard. */
export function scopeText(args: string[], o: CliOptions): string {
  const list = (items: string[], prefix = ''): string => {
    const shown = items.slice(0, SCOPE_SPECS).map((x) => `${prefix}${x}`);
    const more = items.length - SCOPE_SPECS;
    return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  };
  const parts = [list(args), list(o.inputFile ?? [], '-iL ')].filter((p) => p !== '');
  const excluded = [list(o.exclude ?? []), list(o.excludeFile ?? [], '--exclude-file ')].filter(
    (p) => p !== '',
  );
  if (excluded.length > 0) parts.push(`excluding ${excluded.join(', ')}`);
  if (o.shard) parts.push(`shard ${o.shard.index}/${o.shard.total}`);
  return parts.join('; ');
}
