// The tool's own companion files (`<report>.partial`, `<file>.lock`,
// `<checkpoint>.found`, the checkpoint's temporaries): created, never
// followed. Run as root in a shared folder, a link planted at one of these
// names would otherwise turn a report into an overwrite of any file on disk.
//
// - Creating is exclusive and no-follow (O_CREAT|O_EXCL|O_NOFOLLOW): a link,
//   dangling or not, or any file already there makes the open fail.
// - What is already there is replaced only when it is a leftover of ours: a
//   regular file of this user with one link (a run killed with kill -9).
//   Anything else (a link, a FIFO, a device, another user's file, a hard
//   link) is refused with exit 2, naming it.
// - Opening an existing one (a resumed run) is no-follow and checks the same.

import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, unlink } from 'node:fs/promises';
import { describeFileError, UsageError } from '../errors.js';
import { shown } from '../text/escape.js';

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } = constants;

/** What a file that is not a regular file is, in words. */
export function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'a regular file';
}

/** Why `st` is not a file this run may reuse as its own; null when it may. */
function notOurs(st: Stats): string | null {
  if (!st.isFile()) return `it is ${kindOf(st)}`;
  const me = process.geteuid?.();
  if (me !== undefined && st.uid !== me) return `it belongs to uid ${st.uid}, not to this user`;
  if (st.nlink !== 1) return `it has ${st.nlink} hard links`;
  return null;
}

/** The exit-2 error for something at one of our names that we did not put there. */
export function planted(path: string, what: string, why: string): UsageError {
  return new UsageError(
    `refusing to use '${shown(path, 200)}', ${what}: ${why}; epmd-scan creates that file itself and never follows or reuses what someone else put there`,
    'remove it if it is yours, or give the report or checkpoint another name',
  );
}

/** Throws the refusal when `fh` is not a file of ours; closes it first. */
async function checkOurs(fh: FileHandle, path: string, what: string): Promise<void> {
  const why = notOurs(await fh.stat());
  if (why === null) return;
  await fh.close();
  throw planted(path, what, why);
}

/**
 * Refuses, before anything is written, what sits at one of our names and is
 * not ours (the creation checks again: this only makes the refusal early).
 */
export async function refuseForeign(path: string, what: string): Promise<void> {
  const st = await lstat(path).catch(() => null);
  const why = st ? notOurs(st) : null;
  if (why !== null) throw planted(path, what, why);
}

/**
 * Creates `path` exclusively, never through a link, with `mode` (the umask
 * applies). A leftover of ours there is replaced unless `replace` is false
 * (a lock: EEXIST is thrown); anything else is refused.
 */
export async function createOwnFile(
  path: string,
  what: string,
  mode: number,
  replace = true,
): Promise<FileHandle> {
  const flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
  for (let attempt = 0; ; attempt++) {
    try {
      return await open(path, flags, mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' || attempt > 0 || !replace) throw error;
    }
    const st = await lstat(path);
    const why = notOurs(st);
    if (why !== null) throw planted(path, what, why);
    await unlink(path);
  }
}

/**
 * Opens an existing file of ours for reading and writing (a resumed run's
 * partial or found-log), never through a link. ENOENT is thrown as it is.
 */
export async function openOwnFile(path: string, what: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw planted(path, what, 'it is a symbolic link');
    }
    throw error;
  }
  await checkOurs(fh, path, what);
  return fh;
}

/**
 * Reads a small file of ours whole (a checkpoint, a lock), never through a
 * link: null when there is none; a refusal when it is not a regular file or
 * holds more than `max` bytes.
 */
export async function readOwnFile(
  path: string,
  what: string,
  max: number,
  owner = true,
): Promise<Buffer | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw planted(path, what, 'it is a symbolic link');
    throw new UsageError(`cannot read ${what} '${shown(path)}': ${describeFileError(error)}`);
  }
  try {
    const st = await fh.stat();
    const why = owner ? notOurs(st) : st.isFile() ? null : `it is ${kindOf(st)}`;
    if (why !== null) throw planted(path, what, why);
    if (st.size > max) throw planted(path, what, `it holds ${st.size} bytes (at most ${max})`);
    return await readAll(fh, st.size);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** The first `size` bytes of an open regular file (fewer if it shrank). */
export async function readAll(fh: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(size);
  let done = 0;
  while (done < size) {
    const { bytesRead } = await fh.read(buf, done, size - done, done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/**
 * Gives the file open as `fh` the mode (and, where this user may, the owner
 * and group) of the regular file at `dest`, if there is one: a report
 * replaced by its new version keeps them, as a shell redirection would.
 */
export async function keepModeOf(fh: FileHandle, dest: string): Promise<void> {
  const was = await lstat(dest).catch(() => null);
  if (!was?.isFile()) return;
  const now = await fh.stat();
  if (now.uid !== was.uid || now.gid !== was.gid) {
    // Only root may give a file away; a group this user is in works too.
    await fh.chown(was.uid, was.gid).catch(() => fh.chown(now.uid, was.gid).catch(() => undefined));
  }
  await fh.chmod(was.mode & 0o777);
}
