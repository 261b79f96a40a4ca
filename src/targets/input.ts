// Reading specs from files and stdin as a stream: one spec per line (zmap's
// plain output works as is), masscan -oL lines, blank lines and # comments
// skipped, several whitespace- or comma-separated specs on a line allowed.
// Each spec carries its origin (file:line) for error messages.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { describeFileError, UsageError } from '../errors.js';
import { unblockOnAbort } from '../fifo.js';
import type { SourcedSpec } from './expand.js';
import { isMasscanLine } from './spec.js';

/** The specs of one line of a target file. */
export function specsOfLine(line: string, origin: string): SourcedSpec[] {
  const hash = line.indexOf('#');
  const text = (hash === -1 ? line : line.slice(0, hash)).trim();
  if (text === '') return [];
  if (isMasscanLine(text)) return [{ spec: text, origin }];
  return text
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .map((spec) => ({ spec, origin }));
}

/** Streams the specs of a file (`-` = `stdin`), line by line. */
export async function* readSpecFile(
  path: string,
  stdin?: Readable,
  signal?: AbortSignal,
): AsyncGenerator<SourcedSpec> {
  const name = path === '-' ? 'stdin' : path;
  let input: Readable;
  let release = (): void => undefined;
  if (path === '-') {
    if (!stdin) throw new UsageError('-iL - reads targets from stdin, but there is no stdin');
    input = stdin;
  } else {
    release = await unblockOnAbort(path, true, signal);
    input = createReadStream(path);
  }
  const opened = new Promise<void>((resolve, reject) => {
    if (path === '-') resolve();
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new UsageError(`cannot read the target file '${name}': ${describeFileError(error)}`);
  } finally {
    release();
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      yield* specsOfLine(line, `${name}:${n}`);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read the target file '${name}': ${describeFileError(error)}`);
  }
}
