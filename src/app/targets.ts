// From the command line's target options to the probe sequence: positional
// specs and -iL files, excludes, shuffle seed, shard and resume point.

import { randomBytes } from 'node:crypto';
import { fstatSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { isatty } from 'node:tty';
import { UsageError } from '../errors.js';
import {
  expandTargets,
  type HostLookup,
  type SourcedSpec,
  systemLookup,
} from '../targets/expand.js';
import { readSpecFile } from '../targets/input.js';
import { localAddresses as interfaces } from '../targets/local.js';
import { type Shard, TargetOrder } from '../targets/order.js';
import { TargetStream } from '../targets/stream.js';

export interface TargetOptions {
  inputFile?: string[];
  exclude?: string[];
  excludeFile?: string[];
  /** true: `--shuffle` without a seed; a string: the seed. */
  shuffle?: string | boolean;
  shard?: Shard;
  /** --resume: a stream cannot be resumed (it is read once). */
  resume?: string;
  port: number[];
}

export interface PlannedTargets {
  /** The whole list, ordered; absent for a stream. */
  order?: TargetOrder;
  /** Targets probed as they arrive (-iL from a pipe, FIFO or stdin). */
  stream?: TargetStream;
  /** The seed in use when shuffling, and whether it was generated here. */
  seed?: { value: string; generated: boolean };
}

/** Targets so far: the whole list's size, or what a stream has given. */
export function targetCount(plan: PlannedTargets): number {
  return plan.order?.size ?? plan.stream?.read ?? 0;
}

/**
 * Whether a target file is a stream, probed as it arrives: a pipe, a FIFO or
 * a socket, or stdin that is one of them or a terminal. A device such as
 * /dev/zero is read as a file is (and refused at its first line).
 */
export function isStream(path: string, stdin?: Readable): boolean {
  try {
    if (path === '-') {
      if (stdin !== process.stdin) return false;
      const st = fstatSync(0);
      return st.isFIFO() || st.isSocket() || isatty(0);
    }
    const st = statSync(path);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

/** What a stream cannot do, and how to get the same at its source. */
function refuseForStream(o: TargetOptions): void {
  const why = (flag: string, hint: string): UsageError =>
    new UsageError(
      `${flag} needs the whole target list, and -iL reads a stream (a pipe, FIFO or stdin), probed as it arrives`,
      hint,
    );
  if (o.shuffle !== undefined && o.shuffle !== false) {
    throw why(
      '--shuffle',
      'zmap already probes in a random order; or save the list to a file first',
    );
  }
  if (o.shard) {
    throw why(
      '--shard',
      'shard at the source (zmap --shards N --shard I), or save the list to a file',
    );
  }
  if (o.resume !== undefined) {
    throw why(
      '--resume',
      'save the stream to a file (zmap ... -o hits.txt) and give -iL hits.txt to a resumable run',
    );
  }
}

async function* allSpecs(
  positional: string[],
  files: string[],
  stdin?: Readable,
  signal?: AbortSignal,
): AsyncGenerator<string | SourcedSpec> {
  yield* positional;
  for (const f of files) yield* readSpecFile(f, stdin, signal);
}

async function* excludes(
  o: TargetOptions,
  io: { stdin?: Readable; signal?: AbortSignal },
): AsyncGenerator<string | SourcedSpec> {
  for (const list of o.exclude ?? []) {
    for (const spec of list.split(',')) if (spec.trim() !== '') yield { spec, origin: '--exclude' };
  }
  for (const f of o.excludeFile ?? []) yield* readSpecFile(f, io.stdin, io.signal);
}

/** A stream of targets: the excludes read whole now, the targets as they arrive. */
async function planStream(
  positional: string[],
  files: string[],
  o: TargetOptions,
  io: Parameters<typeof planTargets>[2],
): Promise<PlannedTargets> {
  refuseForStream(o);
  const lookup = io.lookup ?? systemLookup;
  const local = io.localAddresses ?? interfaces;
  const excluded = o.exclude?.length || o.excludeFile?.length;
  const exclude = excluded
    ? await expandTargets(excludes(o, io), { lookup, localAddresses: local })
    : null;
  const stream = new TargetStream(allSpecs(positional, files, io.stdin, io.signal), {
    ports: o.port,
    exclude,
    lookup,
    localAddresses: local,
    warn: io.warn ?? (() => undefined),
  });
  return { stream };
}

/** Expands, orders and positions the targets; UsageError on any bad input. */
export async function planTargets(
  positional: string[],
  o: TargetOptions,
  io: {
    stdin?: Readable;
    lookup?: HostLookup;
    localAddresses?: () => string[];
    signal?: AbortSignal;
    /** A line for stderr: a stream's skipped lines. */
    warn?: (line: string) => void;
  },
  /** A resumed run's checkpoint: its seed is reused when --shuffle gives none. */
  checkpoint: { seed: string | null } | null = null,
): Promise<PlannedTargets> {
  const files = o.inputFile ?? [];
  if (positional.length === 0 && files.length === 0) {
    throw new UsageError(
      'no targets given: name at least one address, CIDR, range or hostname, or -iL <file>.',
    );
  }
  const stdinUses = [...files, ...(o.excludeFile ?? [])].filter((f) => f === '-').length;
  if (stdinUses > 1) {
    throw new UsageError(
      'stdin (-) can be read once: give it to one -iL or --exclude-file, and the other list as a file',
    );
  }

  if (files.some((f) => isStream(f, io.stdin))) return planStream(positional, files, o, io);
  let seed: PlannedTargets['seed'];
  if (typeof o.shuffle === 'string') seed = { value: o.shuffle, generated: false };
  else if (o.shuffle === true) {
    if (checkpoint?.seed) seed = { value: checkpoint.seed, generated: false };
    else if (o.shard && o.shard.total > 1) {
      throw new UsageError(
        '--shard with --shuffle needs an explicit seed: every shard must use the same order',
        'e.g. --shuffle 2026-11-23 --shard 1/4 on the first machine, --shuffle 2026-11-23 --shard 2/4 on the second',
      );
    } else seed = { value: randomBytes(6).toString('hex'), generated: true };
  }

  const space = await expandTargets(allSpecs(positional, files, io.stdin, io.signal), {
    exclude: excludes(o, io),
    lookup: io.lookup,
    localAddresses: io.localAddresses,
  });
  if (space.count === 0) {
    // A run that would scan nothing must not look like a clean scan (exit 0).
    throw new UsageError(
      o.exclude?.length || o.excludeFile?.length
        ? 'every target is excluded (--exclude, --exclude-file): there is nothing to scan'
        : 'the targets given hold no address: there is nothing to scan',
      'check the target list and the excludes',
    );
  }
  const order = new TargetOrder(space, { ports: o.port, shuffle: seed?.value, shard: o.shard });
  return { order, seed };
}
