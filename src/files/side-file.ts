// The files a user names beside the targets (databases, cookie lists,
// baselines, allow-lists, asset maps, target lists), opened so that none of
// them can hold the run forever or fill the memory:
//
// - The open never blocks (O_NONBLOCK): a FIFO nobody writes opens at once.
// - A file read whole (an MMDB, a cookie list) must be a regular file of at
//   most its kind's size; a FIFO, a pipe, a device or a socket is refused.
// - A file read as a stream may also be a pipe or a FIFO (`<(zcat x.gz)`):
//   it is read in the event loop, not in a thread of the pool, so Ctrl-C
//   and SIGTERM end the read of a writer that never writes. Past its kind's
//   size the read stops with exit 2. Devices are refused, except for target
//   lists (`-iL /dev/zero` hits the line limit at once) and the null device,
//   which reads as an empty file.

import {
  closeSync,
  constants,
  createReadStream,
  fstat,
  open,
  read,
  type Stats,
  statSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { type Readable, Transform } from 'node:stream';
import { promisify } from 'node:util';
import { describeFileError, Interrupted, UsageError } from '../errors.js';
import { shown } from '../text/escape.js';
import type { LineSource } from './lines.js';
import { kindOf } from './own-file.js';

const MiB = 1024 * 1024;

/** The most bytes each kind of side file may hold (the README's "Input limits"). */
export const SIZE_LIMITS = {
  mmdb: 1024 * MiB,
  cookies: MiB,
  baseline: 1024 * MiB,
  allow: 64 * MiB,
  assetMap: 64 * MiB,
  checkpoint: 64 * MiB,
} as const;

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const readFd = (fd: number, buf: Buffer, at: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buf, at, length, position, (error, n) => (error ? reject(error) : resolve(n))),
  );
/** Bytes read at a time from a file read whole: a signal is looked at between two reads. */
const CHUNK = 16 * MiB;

let nullRdev: number | undefined;
/** True for the null device (or a mknod copy of it): it reads as an empty file. */
function isNullDevice(st: Stats): boolean {
  try {
    nullRdev ??= statSync('/dev/null').rdev;
  } catch {
    nullRdev = 259; // makedev(1, 3)
  }
  return st.isCharacterDevice() && st.rdev === nullRdev;
}

const cannot = (what: string, path: string, why: string): UsageError =>
  new UsageError(`cannot read ${what} '${shown(path)}': ${why}`);

/** Opens `path` for reading without blocking; its descriptor and what it is. */
async function openNonBlocking(path: string, what: string): Promise<{ fd: number; st: Stats }> {
  let fd: number;
  try {
    fd = await openFd(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw cannot(what, path, describeFileError(error));
  }
  return { fd, st: await fstatFd(fd) };
}

/** A side file read whole: a regular file of at most `max` bytes, or a UsageError. */
export async function readWhole(
  path: string,
  what: string,
  max: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const { fd, st } = await openNonBlocking(path, what);
  try {
    if (isNullDevice(st)) return Buffer.alloc(0);
    if (!st.isFile()) {
      throw cannot(what, path, `it is ${kindOf(st)}; it must be a regular file (it is read whole)`);
    }
    if (st.size > max) {
      throw cannot(what, path, `it holds ${st.size} bytes, more than the ${max} allowed`);
    }
    // Read into one buffer of the file's size: a 1 GiB database is never held twice.
    const buf = Buffer.allocUnsafe(st.size);
    let done = 0;
    while (done < st.size) {
      if (signal?.aborted) throw new Interrupted(`interrupted while reading ${what}`);
      const got = await readFd(fd, buf, done, Math.min(CHUNK, st.size - done), done);
      if (got === 0) break;
      done += got;
    }
    return buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** Stops `input` with an error once more than `max` bytes have come through. */
function capped(input: Readable, max: number, tooBig: () => Error): Readable {
  let seen = 0;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > max ? tooBig() : null, chunk);
    },
  });
  input.on('error', (error) => out.destroy(error));
  out.on('close', () => input.destroy());
  return input.pipe(out);
}

export interface InputOptions {
  /** What `-` reads. */
  stdin?: Readable;
  /** Ends the read (Interrupted) when it aborts. */
  signal?: AbortSignal;
  /** The most bytes to read; unlimited when absent. */
  max?: number;
  /** Character and block devices are read (target lists); refused otherwise. */
  devices?: boolean;
}

/** The stream of an open descriptor: pipes and FIFOs in the event loop, files in the pool. */
function streamOf(fd: number, st: Stats, path: string, what: string, o: InputOptions): Readable {
  if (st.isFIFO() || st.isSocket()) return new Socket({ fd, readable: true, writable: false });
  if (st.isFile() || isNullDevice(st) || (o.devices && !st.isDirectory())) {
    return createReadStream('', { fd });
  }
  closeSync(fd);
  throw cannot(what, path, `it is ${kindOf(st)}; give a regular file, a pipe or a FIFO`);
}

/**
 * Opens a file the user named (`-` = the given stdin) to read as a stream;
 * a UsageError says which file, as `what`, and why when it cannot be read.
 */
export async function openInput(
  path: string,
  what: string,
  options: InputOptions = {},
): Promise<LineSource> {
  if (path === '-') {
    if (!options.stdin) throw new UsageError(`${what} is stdin (-), but there is no stdin`);
    return { name: 'stdin', input: options.stdin };
  }
  const { fd, st } = await openNonBlocking(path, what);
  const { max, signal } = options;
  if (max !== undefined && st.isFile() && st.size > max) {
    closeSync(fd);
    throw cannot(what, path, `it holds ${st.size} bytes, more than the ${max} allowed`);
  }
  const raw = streamOf(fd, st, path, what, options);
  const input =
    max === undefined
      ? raw
      : capped(raw, max, () => cannot(what, path, `more than the ${max} bytes allowed`));
  if (signal) {
    const stop = (): void => void raw.destroy(new Interrupted(`interrupted while reading ${what}`));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    raw.once('close', () => signal.removeEventListener('abort', stop));
  }
  return { name: path, input };
}
