// From the command line's target options to the probe sequence: positional
// specs and -iL files, excludes, shuffle seed, shard and resume point.

import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { expandTargets, type HostLookup, type SourcedSpec } from '../targets/expand.js';
import { readSpecFile } from '../targets/input.js';
import { type Shard, TargetOrder } from '../targets/order.js';

export interface TargetOptions {
  inputFile?: string[];
  exclude?: string[];
  excludeFile?: string[];
  /** true: `--shuffle` without a seed; a string: the seed. */
  shuffle?: string | boolean;
  shard?: Shard;
  port: number[];
}

export interface PlannedTargets {
  order: TargetOrder;
  /** The seed in use when shuffling, and whether it was generated here. */
  seed?: { value: string; generated: boolean };
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

/** Expands, orders and positions the targets; UsageError on any bad input. */
export async function planTargets(
  positional: string[],
  o: TargetOptions,
  io: {
    stdin?: Readable;
    lookup?: HostLookup;
    localAddresses?: () => string[];
    signal?: AbortSignal;
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

  async function* excludes(): AsyncGenerator<string | SourcedSpec> {
    for (const list of o.exclude ?? []) {
      for (const spec of list.split(','))
        if (spec.trim() !== '') yield { spec, origin: '--exclude' };
    }
    for (const f of o.excludeFile ?? []) yield* readSpecFile(f, io.stdin, io.signal);
  }

  const space = await expandTargets(allSpecs(positional, files, io.stdin, io.signal), {
    exclude: excludes(),
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
