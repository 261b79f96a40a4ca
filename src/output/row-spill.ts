// Rows a report writes only at its end, in an order of its own (the HTML
// page: most severe first, then by address), kept out of memory: each row's
// text goes to a private temporary file, and memory keeps 32 bytes a row (a
// sort key, an offset, a length). A sweep with a million exposures holds
// 32 MB here instead of the rows themselves.
//
// The file is created beside the report (or in the system's temp folder for
// stdout), readable by its owner alone, never over an existing name nor
// through a symlink (O_EXCL | O_NOFOLLOW), and unlinked at once: nothing is
// left behind, whatever stops the run.

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFileError } from '../errors.js';
import { parseIP } from '../targets/ip.js';
import { OutputError } from './report-output.js';

/** Bytes of a row's sort key: a rank, the address family, 16 address bytes, the port. */
const KEY = 20;
/** Rows' text buffered before a write. */
const BUFFER_BYTES = 64 * 1024;

/** A new file in `dir`, for this process alone: 0600, exclusive, not through a symlink, already unlinked. */
export function createSpillFile(
  dir: string,
  name = `.epmd-scan-rows-${process.pid}-${randomBytes(6).toString('hex')}`,
): number {
  const path = join(dir, name);
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const fd = openSync(path, flags, 0o600);
  try {
    unlinkSync(path);
  } catch {
    // Unlinked or not, the descriptor is ours; a name left behind holds rows of this run only.
  }
  return fd;
}

/** The 20-byte key of a row: `rank` first (lower sorts first), then family, address, port. */
export function rowKey(rank: number, ip: string, port: number): Uint8Array {
  const key = new Uint8Array(KEY);
  key[0] = rank;
  const addr = parseIP(ip);
  key[1] = addr?.family ?? 9;
  let v = addr?.value ?? 0n;
  for (let i = 17; i >= 2; i--) {
    key[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  key[18] = port >> 8;
  key[19] = port & 0xff;
  return key;
}

export class RowSpill {
  private fd: number | null = null;
  private count = 0;
  private keys = new Uint8Array(KEY * 64);
  private offsets = new Float64Array(64);
  private lengths = new Uint32Array(64);
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    /** Where the file goes: the report's folder; the system's temp folder when undefined. */
    private readonly dir: string | undefined,
  ) {}

  get rows(): number {
    return this.count;
  }

  /** Memory the index holds, in bytes: what a row costs here. */
  get indexBytes(): number {
    return this.keys.byteLength + this.offsets.byteLength + this.lengths.byteLength;
  }

  add(text: string, key: Uint8Array): void {
    const bytes = Buffer.from(text);
    if (this.count === this.offsets.length) this.grow();
    this.keys.set(key, this.count * KEY);
    this.offsets[this.count] = this.size;
    this.lengths[this.count] = bytes.length;
    this.count++;
    this.size += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= BUFFER_BYTES) this.flush();
  }

  /** The rows' text in key order, read back a row at a time. */
  *sorted(): Generator<string> {
    this.flush();
    const order = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) order[i] = i;
    const keys = this.keys;
    order.sort((a, b) => {
      for (let k = 0; k < KEY; k++) {
        const d = (keys[a * KEY + k] as number) - (keys[b * KEY + k] as number);
        if (d !== 0) return d;
      }
      return a - b;
    });
    let buf = Buffer.alloc(0);
    for (const i of order) {
      const length = this.lengths[i] as number;
      if (buf.length < length) buf = Buffer.alloc(Math.max(length, 4096));
      this.read(buf, length, this.offsets[i] as number);
      yield buf.toString('utf8', 0, length);
    }
  }

  /** Lets the file go (it is unlinked already: its space is freed). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private grow(): void {
    const n = this.offsets.length * 2;
    const keys = new Uint8Array(KEY * n);
    keys.set(this.keys);
    this.keys = keys;
    const offsets = new Float64Array(n);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const lengths = new Uint32Array(n);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    const at = this.size - this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.io(() => {
      this.fd ??= createSpillFile(this.dir ?? tmpdir());
      let done = 0;
      while (done < data.length)
        done += writeSync(this.fd, data, done, data.length - done, at + done);
    });
  }

  private read(buf: Buffer, length: number, at: number): void {
    this.io(() => {
      let done = 0;
      while (done < length) {
        const n = readSync(this.fd as number, buf, done, length - done, at + done);
        if (n === 0) throw Object.assign(new Error('short read'), { code: 'EIO' });
        done += n;
      }
    });
  }

  /** A failure of the temporary file, as an error of the report (exit 3, the run says stopped). */
  private io(work: () => void): void {
    try {
      work();
    } catch (error) {
      throw new OutputError(
        `cannot keep the HTML report's rows in a temporary file in '${this.dir ?? tmpdir()}': ${describeFileError(error)}`,
      );
    }
  }

  /** For tests: the file's mode bits. */
  fileMode(): number | null {
    return this.fd === null ? null : fstatSync(this.fd).mode & 0o777;
  }
}
