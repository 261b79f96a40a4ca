// The checkpoint of a resumable run (--resume <file>): a JSON snapshot,
// replaced atomically (a temporary file, created exclusively and 0600, then
// rename), that counts only what has reached the report. See ledger.ts for
// the design as a whole, identity.ts for what makes two runs one.

import { randomBytes } from 'node:crypto';
import { lstat, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { createOwnFile, readOwnFile } from '../files/own-file.js';
import type { DerivedName } from '../files/paths.js';
import { SIZE_LIMITS } from '../files/side-file.js';
import { STATUSES, type Status } from '../record.js';
import type { Range } from '../targets/done-set.js';
import { shown } from '../text/escape.js';
import { RECORD_FLAGS, type RunIdentity } from './identity.js';

export { checkSameRun, fingerprint, type RecordSettings, type RunIdentity } from './identity.js';

export const CHECKPOINT_VERSION = 3;

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

/** Where the found-log of a checkpoint lives. */
export const foundLogPath = (checkpoint: string): string => `${checkpoint}.found`;

/** The temporary a checkpoint is written to before its rename (`hex`: 8 random hex digits). */
const temporary = (path: string, hex: string): string =>
  join(dirname(path), `.${basename(path)}.${hex}.tmp`);

/** The names a checkpoint at `path` derives, for the NAME_MAX check. */
export const checkpointNames = (path: string): DerivedName[] => [
  { role: '', path },
  { role: 'found-log', path: foundLogPath(path) },
  { role: 'lock', path: `${path}.lock` },
  { role: 'temporary', path: temporary(path, '00000000') },
];

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isText = (v: unknown): boolean => typeof v === 'string' && v !== '';
type Fields = Record<string, unknown>;
/** A field's check: its path, the test, and what was expected. */
type FieldCheck = [string, (v: unknown, cp: Fields) => boolean, string | ((cp: Fields) => string)];

const isRanges = (v: unknown, cp: Fields): boolean => {
  if (!Array.isArray(v)) return false;
  let last = cp.completed as number;
  return v.every((r) => {
    const ok = Array.isArray(r) && r.length === 2 && isCount(r[0]) && isCount(r[1]);
    const fits = ok && r[0] > last && r[1] > r[0] && r[1] <= (cp.size as number);
    if (fits) last = r[1];
    return fits;
  });
};

const isRecordSettings = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  Object.keys(RECORD_FLAGS).every(
    (k) =>
      ['boolean', 'string', 'number'].includes(typeof (v as Fields)[k]) ||
      (v as Fields)[k] === null,
  );

/** Every field, in the order checked: a later check may rely on an earlier one. */
const FIELDS: FieldCheck[] = [
  ['version', (v) => v === CHECKPOINT_VERSION, String(CHECKPOINT_VERSION)],
  ['fingerprint', (v) => typeof v === 'string' && /^[0-9a-f]{32}$/.test(v), '32 hex digits'],
  ['size', isCount, 'a whole number >= 0'],
  [
    'ports',
    (v) =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535),
    'a list of TCP ports',
  ],
  ['seed', (v) => v === null || typeof v === 'string', 'a string or null'],
  ['shard', (v) => v === null || (typeof v === 'string' && /^\d+\/\d+$/.test(v)), 'i/n or null'],
  ['nodeSeparator', isText, 'a non-empty string'],
  ['severity', isText, 'a non-empty string'],
  [
    'outputs',
    (v) =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((o) => typeof o?.format === 'string' && isText(o?.path)),
    'a list of { format, path }',
  ],
  ['all', (v) => typeof v === 'boolean', 'true or false'],
  ['records', isRecordSettings, 'the settings that change what a record holds'],
  [
    'completed',
    (v, cp) => isCount(v) && v <= (cp.size as number),
    (cp) => `a whole number from 0 to size (${cp.size})`,
  ],
  [
    'done',
    isRanges,
    (cp) => `sorted, disjoint [from, to) ranges between completed+1 and size (${cp.size})`,
  ],
  [
    'offsets',
    (v, cp) =>
      Array.isArray(v) && v.length === (cp.outputs as unknown[]).length && v.every(isCount),
    'a whole number of bytes >= 0 for each output',
  ],
  ['found', isCount, 'a whole number of bytes >= 0'],
  [
    'finished',
    (v, cp) =>
      v === false ||
      (v === true && cp.completed === cp.size && (cp.done as unknown[]).length === 0),
    'true or false (false while positions remain)',
  ],
  ['stats', (v) => typeof v === 'object' && v !== null, 'an object'],
  [
    'stats.done',
    (v, cp) => isCount(v) && v <= (cp.size as number),
    (cp) => `0 to size (${cp.size})`,
  ],
  ['stats.nodes', isCount, 'a whole number >= 0'],
  [
    'stats.seconds',
    (v) => typeof v === 'number' && v >= 0 && Number.isFinite(v),
    'a number of seconds >= 0',
  ],
  ['stats.byStatus', (v) => typeof v === 'object' && v !== null, 'an object'],
  ...STATUSES.map((st): FieldCheck => [`stats.byStatus.${st}`, isCount, 'a whole number >= 0']),
  ['updated', (v) => typeof v === 'string', 'a date'],
];

/** Checks every field's type and range; a UsageError names the first bad one. */
export function validateCheckpoint(path: string, value: unknown): Checkpoint {
  const bad = (field: string, expected: string): UsageError =>
    new UsageError(
      `the checkpoint '${shown(path)}' has a bad '${field}': expected ${expected}`,
      'it was not written by this version of epmd-scan, or was changed; delete it (and its .found file) to start the scan afresh',
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('(whole file)', 'a JSON object');
  }
  const cp = value as Fields;
  for (const [field, ok, expected] of FIELDS) {
    const v = field.split('.').reduce<unknown>((o, k) => (o as Fields | null | undefined)?.[k], cp);
    if (!ok(v, cp)) throw bad(field, typeof expected === 'string' ? expected : expected(cp));
  }
  return cp as unknown as Checkpoint;
}

/** Reads and validates a checkpoint (a regular file of ours, never through a link); null when there is none. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  const bytes = await readOwnFile(path, 'the checkpoint', SIZE_LIMITS.checkpoint);
  if (bytes === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UsageError(
      `the checkpoint '${shown(path)}' is not valid JSON`,
      'delete it (and its .found file) to start the scan afresh',
    );
  }
  return validateCheckpoint(path, value);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes the temporaries a run killed while writing its checkpoint left
 * (files of ours only). Called by the holder of the checkpoint's lock.
 */
export async function removeTemporaries(path: string): Promise<void> {
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.[0-9a-f]{8}\\.tmp$`);
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names.filter((n) => pattern.test(n))) {
    const temp = join(dirname(path), name);
    const st = await lstat(temp).catch(() => null);
    if (st?.isFile() && st.uid === process.geteuid?.()) await unlink(temp).catch(() => undefined);
  }
}

/** Writes a checkpoint atomically and durably (an exclusive 0600 temporary, fsync, rename). */
export async function writeCheckpoint(path: string, cp: Checkpoint): Promise<void> {
  const temp = temporary(path, randomBytes(4).toString('hex'));
  try {
    const fh = await createOwnFile(temp, 'a temporary of the checkpoint', 0o600, false);
    try {
      await fh.writeFile(`${JSON.stringify(cp)}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      await unlink(temp).catch(() => undefined);
    throw error;
  }
}
