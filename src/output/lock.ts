// One run at a time per file: a `<file>.lock` beside the report or the
// checkpoint (its real path: a link to it is the same file), created
// exclusively and never through a link. Two runs on one -o would interleave
// or drop each other's rows; two on one checkpoint would each count the
// other's work.
//
// The lock names its holder: pid, the holder's start time (field 22 of
// /proc/<pid>/stat, in clock ticks since boot) and the kernel's boot id. A
// pid alone is not enough: a container that restarts (a Kubernetes Job's
// pod, `docker restart`) gives the rerun the very pid of the run killed
// with kill -9. The lock is live only while a process with that pid, that
// start time and that boot id runs; anything else is stale and taken over
// with a note. A file there that is not a lock of ours is refused.

import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describeFileError, UsageError } from '../errors.js';
import { createOwnFile, planted, readOwnFile } from '../files/own-file.js';
import { shown } from '../text/escape.js';

/** Who holds a lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The kernel's boot id: another boot, or another machine, is another kernel. */
  boot: string | null;
  /** The holder's start time in clock ticks since boot; null where /proc has none. */
  start: string | null;
  started: string;
}

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** The start time of `pid` (field 22 of /proc/<pid>/stat), or null. */
export function startTimeOf(pid: number): string | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // Field 2, the command, may hold spaces and parentheses: count from its end.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

/** This kernel's boot id, or null. */
export const bootId = (): string | null => read('/proc/sys/kernel/random/boot_id')?.trim() ?? null;

/** This process as a lock's holder. */
export function me(): LockHolder {
  const start = startTimeOf(process.pid);
  return {
    pid: process.pid,
    host: hostname(),
    boot: bootId(),
    start,
    started: new Date().toISOString(),
  };
}

/** True while the holder runs: the same pid started at the same time on this kernel. */
export function holderAlive(held: LockHolder): boolean {
  if (held.boot !== null && held.boot !== bootId()) return false;
  if (held.start === null) {
    // A lock without a start time: the pid is all there is to go by (and ours is not it).
    if (held.pid === process.pid || (held.boot === null && held.host !== hostname())) return false;
    try {
      process.kill(held.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return startTimeOf(held.pid) === held.start;
}

const str = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** The holder a lock file names; null when it is empty or cut short (a run killed as it wrote it). */
export function parseLock(text: string, path: string): LockHolder | null {
  let v: Partial<LockHolder> | null = null;
  try {
    v = JSON.parse(text) as Partial<LockHolder>;
  } catch {
    // Empty, or cut short: a run killed as it wrote its lock.
    if (text === '' || text.startsWith('{"pid":')) return null;
  }
  if (v && Number.isSafeInteger(v.pid) && typeof v.host === 'string' && str(v.boot ?? null)) {
    if (str(v.start ?? null)) return { boot: null, start: null, started: '', ...v } as LockHolder;
  }
  throw planted(path, 'a lock', 'it does not hold a lock of epmd-scan');
}

export class FileLock {
  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  /**
   * Takes `<file>.lock` (`file` a real path); a UsageError names the holder's
   * pid when another live run has it. `note` is told when a stale lock is
   * taken over.
   */
  static async take(file: string, what: string, note: (line: string) => void): Promise<FileLock> {
    const path = `${file}.lock`;
    const content = `${JSON.stringify(me())}\n`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const held = await FileLock.holder(path, file, what);
      if (held === undefined) {
        if (await FileLock.create(path, content, file, what)) return new FileLock(path, content);
        continue;
      }
      if (held && holderAlive(held)) {
        throw new UsageError(
          `${what} '${shown(file, 200)}' is in use by another epmd-scan run (pid ${held.pid}, lock ${shown(path, 200)})`,
          'wait for that run to end, or stop it; two runs on one file would lose results',
        );
      }
      const whose = held ? ` of pid ${held.pid}, which is no longer running` : '';
      note(`taking over the stale lock ${shown(path, 200)}${whose}`);
      await unlink(path).catch(() => undefined);
    }
    throw new UsageError(
      `${what} '${shown(file, 200)}' is in use by another epmd-scan run (lock ${shown(path, 200)})`,
      'wait for that run to end',
    );
  }

  /** The holder of an existing lock: undefined when there is none, null when it is empty. */
  private static async holder(path: string, file: string, what: string) {
    const text = await readOwnFile(path, `the lock of ${what} '${file}'`, 4096, false);
    return text === null ? undefined : parseLock(text.toString('utf8'), path);
  }

  /** Creates the lock; false when another run created it first. */
  private static async create(path: string, content: string, file: string, what: string) {
    try {
      const fh = await createOwnFile(path, 'a lock', 0o644, false);
      try {
        await fh.writeFile(content);
      } finally {
        await fh.close();
      }
      return true;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new UsageError(
        `cannot use ${what} '${shown(file, 200)}': ${describeFileError(error, 'its folder does not exist')}`,
      );
    }
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    const now = await readOwnFile(this.path, 'a lock', 4096, false).catch(() => null);
    if (now?.toString('utf8') === this.content) await unlink(this.path).catch(() => undefined);
  }
}
