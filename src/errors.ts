// The one error class for "the user asked for something we cannot do":
// the CLI turns it into exit code 2 with its message and hint.

import { shown } from './text/escape.js';

/** Bad input: an option, a target spec, a file. Nothing has been scanned. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** What to do instead, shown under the message. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A file-system error in words (no temporary paths, no errno jargon); `missing` words ENOENT. */
export function describeFileError(error: unknown, missing = 'no such file'): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return missing;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ENAMETOOLONG') return 'the name is too long';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  if (code === 'ELOOP') return 'too many symbolic links';
  if (code === 'ERR_INVALID_ARG_VALUE') return 'that is not a valid file name';
  // Node's own message repeats the path, which may be long or hold anything.
  if (typeof code === 'string') return `the system says ${code}`;
  return shown(String((error as Error)?.message ?? error));
}

/**
 * A bad target spec; names the spec (escaped and cut short: it may hold any
 * byte and be megabytes long) and, for files, where it came from.
 */
export class TargetSpecError extends UsageError {
  constructor(
    readonly spec: string,
    expected: string,
    readonly origin?: string,
  ) {
    super(`${origin ? `${shown(origin, 200)}: ` : ''}invalid target '${shown(spec)}': ${expected}`);
  }
}

/** Ctrl-C or SIGTERM came while the run was still getting ready: nothing was scanned. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}
