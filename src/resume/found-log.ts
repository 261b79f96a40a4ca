// The found-log (`<checkpoint>.found`): one JSON line per record the whole
// run's gate and summary need again on resume (every exposure, and probes of
// baseline entries that are no longer exposed). Append-only; the checkpoint
// says how many of its bytes count, and a resumed run cuts it there.

import { type FileHandle, open, readFile } from 'node:fs/promises';
import { describeFileError, UsageError } from '../errors.js';
import { hasProbeKind, probeKind } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';

/** A counted record and its position. */
export interface FoundEntry {
  position: number;
  record: ScanRecord;
}

export const foundLine = (position: number, record: ScanRecord): string =>
  `${JSON.stringify({ p: position, r: record })}\n`;

/** Whether a value read back has the envelope of a record, and a detail of its kind. */
function isRecord(r: Record<string, unknown>): boolean {
  if (
    typeof r.ip !== 'string' ||
    !Number.isInteger(r.port) ||
    typeof r.probe !== 'string' ||
    !hasProbeKind(r.probe) ||
    typeof r.status !== 'string' ||
    typeof r.exposed !== 'boolean'
  ) {
    return false;
  }
  return r.detail === null || probeKind(r.probe).isDetail(r.detail);
}

function toEntry(value: unknown, size: number): FoundEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const { p, r } = value as { p?: unknown; r?: Record<string, unknown> };
  if (!Number.isSafeInteger(p) || (p as number) < 0 || (p as number) >= size) return null;
  if (typeof r !== 'object' || r === null || !isRecord(r)) return null;
  const time = new Date(typeof r.timestamp === 'string' ? r.timestamp : Number.NaN);
  if (Number.isNaN(time.getTime())) return null;
  return { position: p as number, record: { ...(r as unknown as ScanRecord), timestamp: time } };
}

/** The first `length` bytes of a found-log, as entries; a UsageError names a bad line. */
export async function readFoundLog(
  path: string,
  length: number,
  size: number,
): Promise<FoundEntry[]> {
  if (length === 0) return [];
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (error) {
    throw new UsageError(
      `cannot read '${path}', which the checkpoint counts ${length} bytes of: ${describeFileError(error)}`,
      'delete the checkpoint to start the scan afresh',
    );
  }
  if (buf.length < length) {
    throw new UsageError(
      `'${path}' holds ${buf.length} bytes, but the checkpoint counts ${length}`,
      'delete the checkpoint to start the scan afresh',
    );
  }
  const entries: FoundEntry[] = [];
  const lines = buf.subarray(0, length).toString('utf8').split('\n');
  if (lines.pop() !== '') {
    throw new UsageError(
      `'${path}' does not end where the checkpoint says`,
      'delete the checkpoint to start afresh',
    );
  }
  lines.forEach((line, i) => {
    let entry: FoundEntry | null = null;
    try {
      entry = toEntry(JSON.parse(line), size);
    } catch {
      entry = null;
    }
    if (!entry) {
      throw new UsageError(
        `${path}:${i + 1}: not a record epmd-scan wrote`,
        'delete the checkpoint (and this file) to start the scan afresh',
      );
    }
    entries.push(entry);
  });
  return entries;
}

/** The found-log open for appending at the counted length (anything past it is cut). */
export class FoundLog {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    public length: number,
  ) {}

  static async open(path: string, keep: number): Promise<FoundLog> {
    let fh: FileHandle;
    try {
      fh = await open(path, keep > 0 ? 'r+' : 'w', 0o644);
      await fh.truncate(keep);
    } catch (error) {
      throw new UsageError(
        `cannot write '${path}': ${describeFileError(error, 'its folder does not exist')}`,
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
