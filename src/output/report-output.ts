// Where a report goes, and how much of it has really left the process.
//
// - A regular file (or a symlink to one, or a path that does not exist yet)
//   is written as `<file>.partial` beside it, append-only, and renamed onto
//   the file when the run completes: a reader or a diff never sees half a
//   report, and a resumed run truncates the partial to what its checkpoint
//   counted and appends from there.
// - Anything else (stdout, a character device, a FIFO, a socket, or a
//   symlink to one) is written through, as a shell redirection would: never
//   replaced by a regular file.
//
// `flush()` answers the question a checkpoint asks: up to which byte may the
// records written so far be counted as delivered?

import { once } from 'node:events';
import { createWriteStream, fstatSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { type FileHandle, lstat, rename, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { describeFileError, Interrupted, UsageError } from '../errors.js';
import { unblockOnAbort } from '../files/fifo.js';
import { createOwnFile, keepModeOf, openOwnFile } from '../files/own-file.js';
import { realTarget } from '../files/paths.js';
import { shown } from '../text/escape.js';

export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** A reader of a pipe may not have read the last pipe-buffer's worth when it goes away. */
function pipeHoldback(): number {
  try {
    // fs.pipe-max-size: the most a reader can grow a pipe to (1 MiB by default).
    return Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim()) || 1 << 20;
  } catch {
    return 1 << 20;
  }
}
/** Socket buffers can be larger than pipes; a reader that drops the connection loses them. */
const SOCKET_HOLDBACK = 16 << 20;

export interface ReportOutput {
  /** For messages: the path or `stdout`. */
  readonly name: string;
  /** 'file': a partial renamed at the end; 'stream': written through. */
  readonly kind: 'file' | 'stream';
  /** Bytes accepted so far: the offset the next write starts at. */
  readonly written: number;
  /** The first write error; later writes are dropped. */
  readonly error: NodeJS.ErrnoException | null;
  /** Appends text; the promise resolves when more may be written (backpressure). */
  write(text: string): Promise<void>;
  /**
   * Waits until what was written has reached the OS; returns the offset up to
   * which records may be counted as delivered. Unless `final`, a pipe or
   * socket keeps back what its reader may not have read yet.
   */
  flush(final?: boolean): Promise<number>;
  /** Makes what is flushed durable (fdatasync) where that means something. */
  sync(): Promise<void>;
  /** The report is whole: a file is renamed into place; a stream is ended (not stdout). */
  complete(): Promise<void>;
  /** The run stops early: what was written stays (in the partial, for a file). */
  close(): Promise<void>;
  /** The run failed and nothing is to be kept: the partial is removed. */
  discard(): Promise<void>;
}

const BUFFER_BYTES = 64 * 1024;
/** Bytes written through between two turns of the event loop, at most. */
const YIELD_BYTES = 256 * 1024;

/** A regular file written as `<dest>.partial`, renamed onto `dest` at the end. */
class PartialFile implements ReportOutput {
  readonly kind = 'file';
  written: number;
  private flushed: number;
  error: NodeJS.ErrnoException | null = null;
  private parts: string[] = [];
  private partBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly name: string,
    /** Where the complete report goes (a symlink's target, resolved). */
    readonly dest: string,
    readonly partial: string,
    private readonly fh: FileHandle,
    start: number,
  ) {
    this.written = start;
    this.flushed = start;
  }

  write(text: string): Promise<void> {
    if (this.error || text === '') return Promise.resolve();
    const n = Buffer.byteLength(text);
    this.parts.push(text);
    this.partBytes += n;
    this.written += n;
    return this.partBytes >= BUFFER_BYTES ? this.pump() : Promise.resolve();
  }

  /** Queues the buffered text as one write at its offset; resolves when it is done. */
  private pump(): Promise<void> {
    if (this.partBytes > 0) {
      const buf = Buffer.from(this.parts.join(''));
      const at = this.written - buf.length;
      this.parts = [];
      this.partBytes = 0;
      this.chain = this.chain.then(async () => {
        if (this.error) return;
        try {
          let done = 0;
          while (done < buf.length) {
            const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, at + done);
            done += bytesWritten;
          }
          this.flushed = at + buf.length;
        } catch (error) {
          this.error ??= error as NodeJS.ErrnoException;
        }
      });
    }
    return this.chain;
  }

  async flush(): Promise<number> {
    await this.pump();
    return this.flushed;
  }

  async sync(): Promise<void> {
    await this.pump();
    if (this.error) return;
    try {
      await this.fh.datasync();
    } catch (error) {
      this.error ??= error as NodeJS.ErrnoException;
    }
  }

  private async shut(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pump();
    await this.fh.close().catch(() => undefined);
  }

  async complete(): Promise<void> {
    await this.sync();
    // The report it replaces may have changed its mode since the start.
    if (!this.error) await keepModeOf(this.fh, this.dest).catch(() => undefined);
    await this.shut();
    if (this.error) throw this.failure(this.error);
    try {
      await rename(this.partial, this.dest);
    } catch (error) {
      throw this.failure(error);
    }
  }

  failure(error: unknown): OutputError {
    return new OutputError(
      `cannot write '${this.name}': ${describeFileError(error, 'its folder does not exist')}`,
    );
  }

  async close(): Promise<void> {
    await this.shut();
  }

  async discard(): Promise<void> {
    await this.shut();
    await unlink(this.partial).catch(() => undefined);
  }
}

/** Anything that is not a regular file: written through, never replaced. */
class ThroughStream implements ReportOutput {
  readonly kind = 'stream';
  written: number;
  private acked: number;
  error: NodeJS.ErrnoException | null = null;
  private last: Promise<void> = Promise.resolve();
  private sinceYield = 0;

  constructor(
    readonly name: string,
    private readonly stream: Writable,
    private readonly holdback: number,
    private readonly owned: boolean,
    start: number,
  ) {
    this.written = start;
    this.acked = start;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.error || text === '') return;
    const n = Buffer.byteLength(text);
    this.written += n;
    const end = this.written;
    let ok = true;
    this.last = new Promise<void>((resolve) => {
      ok = this.stream.write(text, (error) => {
        if (error) this.error ??= error as NodeJS.ErrnoException;
        else this.acked = end;
        resolve();
      });
    });
    this.sinceYield += n;
    if (ok && this.sinceYield >= YIELD_BYTES) {
      // A writer that never waits (a listing into a fast pipe) would starve
      // the write callbacks, and every chunk would stay in memory until the end.
      this.sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!ok && !this.error) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }

  async flush(final = false): Promise<number> {
    if (!this.error) await this.last;
    return final && !this.error ? this.acked : Math.max(0, this.acked - this.holdback);
  }

  async sync(): Promise<void> {}

  async complete(): Promise<void> {
    await this.flush(true);
    if (this.owned) {
      await new Promise<void>((resolve) => this.stream.end(resolve));
    }
    if (this.error && this.error.code !== 'EPIPE') {
      throw new OutputError(`cannot write '${this.name}': ${describeFileError(this.error)}`);
    }
  }

  async close(): Promise<void> {
    await this.complete().catch(() => undefined);
  }

  async discard(): Promise<void> {
    await this.close();
  }
}

/** How an output path will be written. */
export interface OutputPlan {
  /** The path as given, or null for stdout. */
  path: string | null;
  kind: 'file' | 'stream';
  /** For a file: where the complete report goes (a symlink resolved) and its partial. */
  dest?: string;
  partial?: string;
}

/**
 * Checks `-o` before anything is scanned: not empty, not a directory, its
 * folder there. A file (or a link to one, dangling or not) is written where
 * it really is. A UsageError (exit 2) otherwise.
 */
export async function planOutput(path: string | undefined): Promise<OutputPlan> {
  if (path === undefined) return { path: null, kind: 'stream' };
  if (path === '') throw new UsageError("-o '': expected a file name");
  let target: Stats | null = null;
  try {
    target = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      throw new UsageError(`cannot write '${shown(path)}': ${describeFileError(error)}`);
    }
  }
  if (target?.isDirectory())
    throw new UsageError(`cannot write '${shown(path)}': it is a directory`);
  if (target && !target.isFile()) return { path, kind: 'stream' };
  let dest: string;
  try {
    dest = await realTarget(path);
  } catch (error) {
    throw new UsageError(
      `cannot write '${shown(path)}': ${describeFileError(error, 'its folder does not exist')}`,
    );
  }
  return { path, kind: 'file', dest, partial: `${dest}.partial` };
}

/** Opens a report's partial: created afresh (mode and owner of the report it replaces), or reopened at `resumeAt`. */
async function openPartial(plan: OutputPlan, resumeAt: number): Promise<FileHandle> {
  const partial = plan.partial as string;
  if (resumeAt === 0) {
    const existing = (await lstat(plan.dest as string).catch(() => null))?.isFile() === true;
    const fh = await createOwnFile(partial, 'the partial report', existing ? 0o600 : 0o666);
    await keepModeOf(fh, plan.dest as string);
    return fh;
  }
  const fh = await openOwnFile(partial, 'the partial report');
  const size = (await fh.stat()).size;
  if (size < resumeAt) {
    await fh.close();
    throw new UsageError(
      `the partial report '${shown(partial)}' holds ${size} bytes, but the checkpoint counts ${resumeAt}`,
      'it was changed or cut since; delete the checkpoint to start the scan afresh',
    );
  }
  await fh.truncate(resumeAt);
  return fh;
}

/**
 * Opens the output. `resumeAt`: a resumed run's committed offset; the partial
 * is truncated to it (what was written past it was never counted).
 */
export async function openOutput(
  plan: OutputPlan,
  stdout: Writable,
  resumeAt = 0,
  signal?: AbortSignal,
): Promise<ReportOutput> {
  if (plan.path === null) {
    return new ThroughStream('stdout', stdout, holdbackOf(stdout), false, resumeAt);
  }
  if (plan.kind === 'stream') {
    const fd = ownDescriptor(plan.path);
    if (fd === 1) return new ThroughStream(plan.path, stdout, holdbackOf(stdout), false, resumeAt);
    // A FIFO with no reader blocks the open: a signal must still end the run.
    const release = await unblockOnAbort(plan.path, false, signal);
    const stream =
      fd === null
        ? createWriteStream(plan.path, { flags: 'a' })
        : createWriteStream('', { fd, autoClose: false });
    try {
      if (fd === null) await once(stream, 'open');
    } catch (error) {
      throw new UsageError(`cannot write '${plan.path}': ${describeFileError(error)}`);
    } finally {
      release();
    }
    if (signal?.aborted) {
      stream.destroy();
      throw new Interrupted(`interrupted while opening '${plan.path}'`);
    }
    return new ThroughStream(plan.path, stream, holdbackOf(stream), true, resumeAt);
  }
  const partial = plan.partial as string;
  let fh: FileHandle;
  try {
    fh = await openPartial(plan, resumeAt);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && resumeAt > 0) {
      throw new UsageError(
        `the checkpoint counts ${resumeAt} bytes of '${shown(partial)}', which is missing`,
        'delete the checkpoint to start the scan afresh',
      );
    }
    throw new UsageError(
      `cannot write '${shown(plan.path)}': ${describeFileError(error, 'its folder does not exist')}`,
    );
  }
  return new PartialFile(plan.path, plan.dest as string, partial, fh, resumeAt);
}

/**
 * The descriptor of this process that `path` names through /proc/self/fd/N,
 * /dev/fd/N or /dev/stdout (maybe behind symlinks); a socket there cannot be
 * opened again, but it can be written to.
 */
function ownDescriptor(path: string): number | null {
  let p = path;
  for (let hop = 0; hop < 16; hop++) {
    const m = /^\/(?:proc\/self|dev)\/fd\/(\d+)$/.exec(p);
    if (m) return Number(m[1]);
    if (p === '/dev/stdout') return 1;
    if (p === '/dev/stderr') return 2;
    try {
      p = resolve(dirname(p), readlinkSync(p));
    } catch {
      return null;
    }
  }
  return null;
}

/** What a reader of this stream may not have read when it goes away. */
function holdbackOf(stream: Writable): number {
  const fd = (stream as Writable & { fd?: number }).fd;
  if (typeof fd !== 'number') return 0;
  try {
    const st = fstatSync(fd);
    if (st.isFIFO()) return pipeHoldback();
    if (st.isSocket()) return SOCKET_HOLDBACK;
  } catch {
    // Not a descriptor we can look at: nothing held back.
  }
  return 0;
}
