// --resume: a checkpoint holds the low-water mark of completed positions (every
// position below it has been probed and written) and a fingerprint of what
// defines the sequence (the target set, ports, seed, shard). A resumed run
// starts at the mark, so it re-probes at most what was in flight.

import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeFileError, UsageError } from '../errors.js';
import type { TargetOrder } from './order.js';

export interface Checkpoint {
  version: 1;
  fingerprint: string;
  /** Positions [0, completed) are done. */
  completed: number;
  /** Positions in this shard. */
  size: number;
  /** The shuffle seed, so a random one can be reused on resume. */
  seed: string | null;
  updated: string;
}

/** Fingerprint of the probe sequence: same targets, ports, seed and shard, same value. */
export function fingerprint(order: TargetOrder): string {
  const h = createHash('sha256');
  for (const part of order.space.fingerprintParts()) h.update(part);
  const { ports, shuffle, shard } = order.options;
  h.update(JSON.stringify({ ports, shuffle: shuffle ?? null, shard: shard ?? null }));
  return h.digest('hex').slice(0, 32);
}

/** Reads a checkpoint; null when the file does not exist. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read the checkpoint '${path}': ${describeFileError(error)}`);
  }
  let cp: Partial<Checkpoint>;
  try {
    cp = JSON.parse(text) as Partial<Checkpoint>;
  } catch {
    throw new UsageError(
      `the checkpoint '${path}' is not valid JSON`,
      'delete it to start the scan afresh',
    );
  }
  if (
    cp.version !== 1 ||
    typeof cp.fingerprint !== 'string' ||
    !Number.isSafeInteger(cp.completed) ||
    !Number.isSafeInteger(cp.size)
  ) {
    throw new UsageError(
      `'${path}' is not an epmd-scan checkpoint`,
      'delete it to start the scan afresh',
    );
  }
  return cp as Checkpoint;
}

/** Where to start, checking that the checkpoint belongs to this very sequence. */
export function resumePosition(path: string, cp: Checkpoint | null, order: TargetOrder): number {
  if (!cp) return 0;
  if (cp.fingerprint !== fingerprint(order) || cp.size !== order.size) {
    throw new UsageError(
      `the checkpoint '${path}' was written for other targets, ports, --shuffle seed or --shard`,
      'resume with exactly the arguments of the interrupted scan, or use another --resume file to start a new one',
    );
  }
  return Math.min(cp.completed, order.size);
}

/** Writes a checkpoint atomically (temporary file, then rename). */
export async function writeCheckpoint(path: string, cp: Checkpoint): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, `${JSON.stringify(cp)}\n`);
  await rename(temp, path);
}

/** Tracks the low-water mark of completed positions, whatever order they finish in. */
export class LowWater {
  private readonly done = new Set<number>();
  constructor(public mark: number) {}

  complete(position: number): void {
    if (position === this.mark) {
      this.mark++;
      while (this.done.delete(this.mark)) this.mark++;
    } else if (position > this.mark) {
      this.done.add(position);
    }
  }
}

/** Keeps a checkpoint file up to date: at intervals while scanning, and on close. */
export class Checkpointer {
  private readonly low: LowWater;
  private written = -1;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly print: string;

  constructor(
    readonly path: string,
    private readonly order: TargetOrder,
    startAt: number,
    private readonly seed: string | null,
    private readonly intervalMs = 1000,
  ) {
    this.low = new LowWater(startAt);
    this.print = fingerprint(order);
  }

  /** The low-water mark: every position below it is done. */
  get completed(): number {
    return this.low.mark;
  }

  /** Call after a position's result has been written out. */
  complete(position: number): void {
    this.low.complete(position);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes the mark if it moved; writes never overlap. */
  flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      const mark = this.low.mark;
      if (mark === this.written) return;
      await writeCheckpoint(this.path, {
        version: 1,
        fingerprint: this.print,
        completed: mark,
        size: this.order.size,
        seed: this.seed,
        updated: new Date().toISOString(),
      });
      this.written = mark;
    });
    return this.chain;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
