// Reading specs from files and stdin as a stream: one spec per line (zmap's
// plain output works as is), masscan -oL lines, blank lines and # comments
// skipped, several whitespace- or comma-separated specs on a line allowed.
// Each spec carries its origin (file:line) for error messages. A line may
// hold at most MAX_LINE_BYTES (64 KiB): memory does not grow with the input.

import type { Readable } from 'node:stream';
import { MAX_LINE_BYTES, readLines } from '../files/lines.js';
import { openInput } from '../files/side-file.js';
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
  const source = await openInput(path, 'the target file', { stdin, signal, devices: true });
  for await (const { text, n } of readLines(source, 'the target file', MAX_LINE_BYTES)) {
    yield* specsOfLine(text, `${source.name}:${n}`);
  }
}
