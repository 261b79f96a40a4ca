// Where a file the run writes really is, and whether the names derived from
// it fit: a report or checkpoint named through a symlink is written where
// the link points (a dangling link included), as a shell redirection
// would, and its companion files (.partial, .lock, .found, temporaries) sit
// beside that real path, so a second run reaching it through another link
// finds the same lock.

import { lstat, mkdir, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { shown } from '../text/escape.js';

/** The longest file name Linux file systems take, in bytes. */
export const NAME_MAX = 255;
/** The longest path the kernel takes, in bytes (with its NUL). */
export const PATH_MAX = 4096;
/** Symbolic links followed at most, as the kernel does (ELOOP past them). */
const MAX_HOPS = 40;

/**
 * The real path that writing `path` lands on: links followed (a dangling
 * one to where it points), the folder's real path. File-system errors are
 * thrown as they are (ENOENT: the folder does not exist).
 */
export async function realTarget(path: string): Promise<string> {
  let p = resolve(path);
  for (let hop = 0; ; hop++) {
    const st = await lstat(p).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!st?.isSymbolicLink()) break;
    if (hop === MAX_HOPS) throw Object.assign(new Error('ELOOP'), { code: 'ELOOP' });
    p = resolve(dirname(p), await readlink(p));
  }
  return join(await realpath(dirname(p)), basename(p));
}

/**
 * Makes a folder and those above it. Node's recursive mkdir says ENOENT
 * whatever went wrong (a read-only file system, a permission): then the
 * first folder that cannot be made is made alone, which throws the real error.
 */
export async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
    return;
  } catch (error) {
    const chain: string[] = [];
    for (let p = resolve(path); p !== dirname(p); p = dirname(p)) chain.unshift(p);
    for (const folder of chain) {
      if ((await lstat(folder).catch(() => null)) === null) await mkdir(folder);
    }
    throw error;
  }
}

/** A name derived from a file the user named: what it is for, and the name. */
export interface DerivedName {
  /** What it is for (`partial report`, `lock`...); '' for the file itself. */
  role: string;
  path: string;
}

/**
 * Refuses, before the first packet, a file whose own name or a derived
 * name is longer than NAME_MAX bytes (or whose path is past PATH_MAX): the
 * run would otherwise fail at its end, or on every rerun. `flag` and
 * `given` name the option and its value in the message.
 */
export function checkNames(flag: string, given: string, derived: DerivedName[]): void {
  for (const { role, path } of derived) {
    const name = basename(path);
    const bytes = Buffer.byteLength(name);
    const own = role === '';
    if (bytes > NAME_MAX) {
      const over = bytes - NAME_MAX;
      const mine = Buffer.byteLength(basename(given));
      throw new UsageError(
        own
          ? `${flag} '${shown(given)}': its name is ${bytes} bytes, longer than the ${NAME_MAX} bytes a file name may have (NAME_MAX)`
          : `${flag} '${shown(given)}': the name (${mine} bytes) is valid, but its ${role} '${shown(name)}' would be ${bytes} bytes, longer than the ${NAME_MAX} bytes a file name may have (NAME_MAX)`,
        `shorten the name by ${over} byte${over === 1 ? '' : 's'}`,
      );
    }
    if (Buffer.byteLength(path) >= PATH_MAX) {
      throw new UsageError(
        `${flag} '${shown(given)}': ${own ? 'its path' : `the path of its ${role}`} would be longer than the ${PATH_MAX - 1} bytes a path may have`,
      );
    }
  }
}
