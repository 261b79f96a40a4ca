// A report file that appears whole or not at all: written to a temporary file
// in the same folder (so rename stays on one filesystem) and renamed into
// place when the scan ends. A reader or a diff never sees half a report.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeFileError } from '../errors.js';

/** The error in words, without the temporary file's name. */
const describe = (error: unknown): string => describeFileError(error, 'its folder does not exist');

export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** A temporary file that becomes `path` on commit(). */
export class AtomicFile {
  private constructor(
    readonly path: string,
    readonly tempPath: string,
    readonly stream: WriteStream,
  ) {}

  /** Bytes carried over from the existing file (see `carryOver`). */
  carried = 0;

  /**
   * Opens the temporary file now, so an unwritable destination fails before
   * any scan. With `carryOver`, the existing file's content is copied in first
   * (a resumed scan keeps what the interrupted run wrote).
   */
  static async open(path: string, options: { carryOver?: boolean } = {}): Promise<AtomicFile> {
    const existing = await stat(path).catch(() => null);
    if (existing?.isDirectory()) throw new OutputError(`cannot write '${path}': it is a directory`);
    const tempPath = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    const stream = createWriteStream(tempPath, { flags: 'wx', mode: 0o644 });
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new OutputError(`cannot write '${path}': ${describe(error)}`);
    }
    const file = new AtomicFile(path, tempPath, stream);
    if (options.carryOver && existing?.isFile()) {
      const previous = await readFile(path);
      file.carried = previous.length;
      stream.write(previous);
    }
    return file;
  }

  /** Flushes, closes and renames the temporary file into place. */
  async commit(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    try {
      await rename(this.tempPath, this.path);
    } catch (error) {
      await unlink(this.tempPath).catch(() => undefined);
      throw new OutputError(`cannot write '${this.path}': ${describe(error)}`);
    }
  }

  /** Removes the temporary file; the destination is left as it was. */
  async discard(): Promise<void> {
    this.stream.destroy();
    await unlink(this.tempPath).catch(() => undefined);
  }
}
