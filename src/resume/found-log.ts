// The found-log (`<checkpoint>.found`): one JSON line per record the whole
// run's gate and summary need again on resume (every exposure, and probes of
// baseline entries that are no longer exposed). Append-only; the checkpoint
// says how many of its bytes count, and a resumed run cuts it there.

import type { FileHandle } from 'node:fs/promises';
import { describeFileError, UsageError } from '../errors.js';
import { MAX_BASELINE_ROW_BYTES, readLines } from '../files/lines.js';
import { createOwnFile, openOwnFile } from '../files/own-file.js';
import type { ScanRecord } from '../record.js';
import { shown } from '../text/escape.js';
import { recordOf } from './found-record.js';

/** The longest line: a record with the longest reply (16 MiB, every byte escaped) and its risks. */
const MAX_FOUND_LINE = 2 * MAX_BASELINE_ROW_BYTES;

/** A counted record and its position. */
export interface FoundEntry {
  position: number;
  record: ScanRecord;
}

export const foundLine = (position: number, record: ScanRecord): string =>
  `${JSON.stringify({ p: position, r: record })}\n`;

function toEntry(value: unknown, size: number): FoundEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const { p, r } = value as { p?: unknown; r?: unknown };
  if (!Number.isSafeInteger(p) || (p as number) < 0 || (p as number) >= size) return null;
  const record = recordOf(r);
  return record ? { position: p as number, record } : null;
}

const AFRESH = 'delete the checkpoint (and this file) to start the scan afresh';

/**
 * The first `length` bytes of a found-log, as entries, read line by line
 * (never through a link; a file of ours); a UsageError names a bad line.
 */
export async function readFoundLog(
  path: string,
  length: number,
  size: number,
): Promise<FoundEntry[]> {
  if (length === 0) return [];
  let fh: FileHandle;
  try {
    fh = await openOwnFile(path, 'the found-log of the checkpoint');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read '${shown(path)}', which the checkpoint counts ${length} bytes of: ${describeFileError(error)}`,
      AFRESH,
    );
  }
  const held = (await fh.stat()).size;
  if (held < length) {
    await fh.close();
    throw new UsageError(
      `'${shown(path)}' holds ${held} bytes, but the checkpoint counts ${length}`,
      AFRESH,
    );
  }
  const input = fh.createReadStream({ start: 0, end: length - 1 });
  const entries: FoundEntry[] = [];
  let end = 0;
  for await (const { text, n } of readLines(
    { name: path, input },
    'the found-log',
    MAX_FOUND_LINE,
  )) {
    let entry: FoundEntry | null = null;
    try {
      entry = toEntry(JSON.parse(text), size);
    } catch {
      entry = null;
    }
    if (!entry) throw new UsageError(`${shown(path)}:${n}: not a record epmd-scan wrote`, AFRESH);
    entries.push(entry);
    end += Buffer.byteLength(text) + 1;
  }
  if (end !== length) {
    throw new UsageError(`'${shown(path)}' does not end where the checkpoint says`, AFRESH);
  }
  return entries;
}

/** The found-log open for appending at the counted length (anything past it is cut). */
export class FoundLog {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    public length: number,
  ) {}

  /** Opens (a resumed run) or creates the found-log, 0600 and never through a link. */
  static async open(path: string, keep: number): Promise<FoundLog> {
    const what = 'the found-log of the checkpoint';
    let fh: FileHandle;
    try {
      fh = keep > 0 ? await openOwnFile(path, what) : await createOwnFile(path, what, 0o600);
      await fh.chmod(0o600);
      await fh.truncate(keep);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(
        `cannot write '${shown(path)}': ${describeFileError(error, 'its folder does not exist')}`,
      );
    }
    return new FoundLog(path, fh, keep);
  }

  /** Appends lines and makes them durable; returns the new length. */
  async append(lines: string[]): Promise<number> {
    if (lines.length === 0) return this.length;
    const buf = Buffer.from(lines.join(''));
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(
        buf,
        done,
        buf.length - done,
        this.length + done,
      );
      done += bytesWritten;
    }
    await this.fh.datasync();
    this.length += buf.length;
    return this.length;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}
