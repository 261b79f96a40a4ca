// One run at a time per file: a `<file>.lock` beside the report or the
// checkpoint, created exclusively and holding the owner's pid. Two runs on
// one -o would interleave or drop each other's rows; two on one checkpoint
// would each count the other's work. A lock whose process is gone (kill -9,
// a crash) is stale and taken over with a note.

import { readFileSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describeFileError, UsageError } from '../errors.js';

interface LockContent {
  pid: number;
  host: string;
  started: string;
}

/** True when `pid` is a live process that looks like an epmd-scan run. */
function holderAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // A pid reused by an unrelated process after a crash does not hold the lock.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /epmd-scan|node/.test(cmdline);
  } catch {
    return true;
  }
}

function parse(text: string): LockContent | null {
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    return Number.isSafeInteger(v.pid) && typeof v.host === 'string' ? (v as LockContent) : null;
  } catch {
    return null;
  }
}

export class FileLock {
  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  /**
   * Takes `<file>.lock`; a UsageError names the holder's pid when another live
   * run has it. `note` is told when a stale lock is taken over.
   */
  static async take(file: string, what: string, note: (line: string) => void): Promise<FileLock> {
    const path = `${file}.lock`;
    const content = `${JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() })}\n`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(path, 'wx', 0o644);
        try {
          await fh.writeFile(content);
        } finally {
          await fh.close();
        }
        return new FileLock(path, content);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') {
          throw new UsageError(
            `cannot use ${what} '${file}': ${describeFileError(error, 'its folder does not exist')}`,
          );
        }
      }
      const held = parse(await readFile(path, 'utf8').catch(() => ''));
      if (held && held.host === hostname() && holderAlive(held.pid)) {
        throw new UsageError(
          `${what} '${file}' is in use by another epmd-scan run (pid ${held.pid}, lock ${path})`,
          'wait for that run to end, or stop it; two runs on one file would lose results',
        );
      }
      note(
        `taking over the stale lock ${path}${held ? ` of pid ${held.pid}, which is no longer running` : ''}`,
      );
      await unlink(path).catch(() => undefined);
    }
    throw new UsageError(
      `${what} '${file}' is in use by another epmd-scan run (lock ${path})`,
      'wait for that run to end',
    );
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    const now = await readFile(this.path, 'utf8').catch(() => null);
    if (now === this.content) await unlink(this.path).catch(() => undefined);
  }
}
