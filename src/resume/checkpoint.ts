// The checkpoint of a resumable run (--resume <file>): a JSON snapshot,
// replaced atomically (temporary file, then rename), that counts only what
// has reached the report. See ledger.ts for the design as a whole.

import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeFileError, UsageError } from '../errors.js';
import { STATUSES, type Status } from '../probes/registry.js';
import type { Range } from '../targets/done-set.js';
import type { TargetOrder } from '../targets/order.js';

/** 3: records in the found-log are envelopes (probe kind, exposed, detail). */
export const CHECKPOINT_VERSION = 3;

/** What makes two runs the same run: they must agree on every field to share a checkpoint. */
export interface RunIdentity {
  /** Hash of the target set, ports, seed and shard. */
  fingerprint: string;
  /** Positions in this shard. */
  size: number;
  ports: number[];
  /** The shuffle seed (reused on resume when it was generated), or null. */
  seed: string | null;
  /** `i/n`, or null. */
  shard: string | null;
  /** Every report: its format and absolute path (or `stdout`). */
  outputs: { format: string; path: string }[];
  all: boolean;
  nodeSeparator: string;
  severity: string;
}

/** Counts over every record the checkpoint counts, for the summary of the whole run. */
export interface SavedStats {
  done: number;
  nodes: number;
  /** Seconds spent scanning, over every part of the run. */
  seconds: number;
  byStatus: Record<Status, number>;
}

export interface Checkpoint extends RunIdentity {
  version: typeof CHECKPOINT_VERSION;
  /** Positions [0, completed) are done. */
  completed: number;
  /** Done positions above `completed`: sorted, disjoint, half-open ranges. */
  done: Range[];
  /** For each report, the bytes that hold exactly the counted records (header included). */
  offsets: number[];
  /** Bytes of the found-log (`<file>.found`) that belong to the counted records. */
  found: number;
  /** Every position is done and the report is complete. */
  finished: boolean;
  stats: SavedStats;
  updated: string;
}

/** Fingerprint of the probe sequence: same targets, ports, seed, shard and probe kind, same value. */
export function fingerprint(order: TargetOrder, probe: string): string {
  const h = createHash('sha256');
  for (const part of order.space.fingerprintParts()) h.update(part);
  const { ports, shuffle, shard } = order.options;
  h.update(JSON.stringify({ ports, shuffle: shuffle ?? null, shard: shard ?? null, probe }));
  return h.digest('hex').slice(0, 32);
}

/** Where the found-log of a checkpoint lives. */
export const foundLogPath = (checkpoint: string): string => `${checkpoint}.found`;

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Checks every field's type and range; a UsageError names the first bad one. */
export function validateCheckpoint(path: string, value: unknown): Checkpoint {
  const bad = (field: string, expected: string): never => {
    throw new UsageError(
      `the checkpoint '${path}' has a bad '${field}': expected ${expected}`,
      'it was not written by this version of epmd-scan, or was changed; delete it (and its .found file) to start the scan afresh',
    );
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad('(whole file)', 'a JSON object');
  }
  const cp = value as Record<string, unknown>;
  if (cp.version !== CHECKPOINT_VERSION) bad('version', String(CHECKPOINT_VERSION));
  if (typeof cp.fingerprint !== 'string' || !/^[0-9a-f]{32}$/.test(cp.fingerprint)) {
    bad('fingerprint', '32 hex digits');
  }
  if (!isCount(cp.size)) bad('size', 'a whole number >= 0');
  const size = cp.size as number;
  if (
    !Array.isArray(cp.ports) ||
    cp.ports.length === 0 ||
    !cp.ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)
  ) {
    bad('ports', 'a list of TCP ports');
  }
  if (cp.seed !== null && typeof cp.seed !== 'string') bad('seed', 'a string or null');
  if (cp.shard !== null && (typeof cp.shard !== 'string' || !/^\d+\/\d+$/.test(cp.shard))) {
    bad('shard', 'i/n or null');
  }
  for (const f of ['nodeSeparator', 'severity'] as const) {
    if (typeof cp[f] !== 'string' || cp[f] === '') bad(f, 'a non-empty string');
  }
  const outputs = cp.outputs;
  if (
    !Array.isArray(outputs) ||
    outputs.length === 0 ||
    !outputs.every(
      (o) =>
        typeof o === 'object' &&
        o !== null &&
        typeof (o as { format?: unknown }).format === 'string' &&
        typeof (o as { path?: unknown }).path === 'string' &&
        (o as { path: string }).path !== '',
    )
  ) {
    bad('outputs', 'a list of { format, path }');
  }
  if (typeof cp.all !== 'boolean') bad('all', 'true or false');
  if (!isCount(cp.completed) || (cp.completed as number) > size) {
    bad('completed', `a whole number from 0 to size (${size})`);
  }
  const completed = cp.completed as number;
  if (!Array.isArray(cp.done)) bad('done', 'a list of [from, to) ranges');
  let last = completed;
  for (const r of cp.done as unknown[]) {
    if (
      !Array.isArray(r) ||
      r.length !== 2 ||
      !isCount(r[0]) ||
      !isCount(r[1]) ||
      r[0] <= last ||
      r[1] <= r[0] ||
      r[1] > size
    ) {
      bad('done', `sorted, disjoint [from, to) ranges between completed+1 and size (${size})`);
    }
    last = (r as number[])[1] as number;
  }
  if (
    !Array.isArray(cp.offsets) ||
    cp.offsets.length !== (outputs as unknown[]).length ||
    !cp.offsets.every(isCount)
  ) {
    bad('offsets', 'a whole number of bytes >= 0 for each output');
  }
  if (!isCount(cp.found)) bad('found', 'a whole number of bytes >= 0');
  if (typeof cp.finished !== 'boolean') bad('finished', 'true or false');
  if (cp.finished === true && (completed !== size || (cp.done as unknown[]).length > 0)) {
    bad('finished', 'false while positions remain');
  }
  const stats = cp.stats as Record<string, unknown> | null;
  if (typeof stats !== 'object' || stats === null) bad('stats', 'an object');
  const s = stats as Record<string, unknown>;
  if (!isCount(s.done) || (s.done as number) > size) bad('stats.done', `0 to size (${size})`);
  if (!isCount(s.nodes)) bad('stats.nodes', 'a whole number >= 0');
  if (typeof s.seconds !== 'number' || !(s.seconds >= 0) || !Number.isFinite(s.seconds)) {
    bad('stats.seconds', 'a number of seconds >= 0');
  }
  const by = s.byStatus as Record<string, unknown> | null;
  if (typeof by !== 'object' || by === null) bad('stats.byStatus', 'an object');
  for (const st of STATUSES) {
    if (!isCount((by as Record<string, unknown>)[st]))
      bad(`stats.byStatus.${st}`, 'a whole number >= 0');
  }
  if (typeof cp.updated !== 'string') bad('updated', 'a date');
  return cp as unknown as Checkpoint;
}

/** Reads and validates a checkpoint; null when the file does not exist. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read the checkpoint '${path}': ${describeFileError(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(
      `the checkpoint '${path}' is not valid JSON`,
      'delete it (and its .found file) to start the scan afresh',
    );
  }
  return validateCheckpoint(path, value);
}

/** The identity fields, in the order they are compared and named. */
const IDENTITY: readonly (keyof RunIdentity)[] = [
  'outputs',
  'all',
  'nodeSeparator',
  'severity',
  'ports',
  'seed',
  'shard',
  'size',
  'fingerprint',
];

const WORDS: Record<keyof RunIdentity, string> = {
  outputs: 'other reports or formats (-o, -f)',
  all: 'another --all',
  nodeSeparator: 'another --node-separator',
  severity: 'another --severity',
  ports: 'other ports (-p)',
  seed: 'another --shuffle seed',
  shard: 'another --shard',
  size: 'another number of targets',
  fingerprint: 'another target list',
};

/** Refuses a checkpoint of another run, naming the first field that differs. */
export function checkSameRun(path: string, cp: Checkpoint, now: RunIdentity): void {
  for (const key of IDENTITY) {
    const was = JSON.stringify(cp[key]);
    const is = JSON.stringify(now[key]);
    if (was !== is) {
      const show = key === 'fingerprint' ? '' : `: it has ${was}, this run ${is}`;
      throw new UsageError(
        `the checkpoint '${path}' was written for ${WORDS[key]}${show}`,
        'resume with exactly the arguments of the interrupted scan, or use another --resume file to start a new one',
      );
    }
  }
}

/** Writes a checkpoint atomically and durably (temporary file, fsync, rename). */
export async function writeCheckpoint(path: string, cp: Checkpoint): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(temp, 'w', 0o644);
    try {
      await fh.writeFile(`${JSON.stringify(cp)}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
