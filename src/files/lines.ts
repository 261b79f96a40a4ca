// Lines of a file or stream with a ceiling on each: memory stays bounded by
// the longest allowed line, whatever the input's size (a 1 GB file without a
// newline, /dev/zero, an endless pipe). Over-long lines are an input error
// that names the file and line, not an out-of-memory crash.

import type { Readable } from 'node:stream';
import { describeFileError, Interrupted, UsageError } from '../errors.js';
import { shown } from '../text/escape.js';

/** Longest line of a target file, stdin, an allow-list or an asset map: 64 KiB. */
export const MAX_LINE_BYTES = 64 * 1024;
/**
 * Longest row of a baseline report: 64 MiB, a little more than the longest
 * row epmd-scan writes (a 16 MiB --max-reply reply, every byte escaped as
 * four characters), so any report of ours can be a baseline.
 */
export const MAX_BASELINE_ROW_BYTES = 64 * 1024 * 1024 + 64 * 1024;

export interface LineSource {
  /** The name errors give: the path, or `stdin`. */
  name: string;
  input: Readable;
}

/** A line and its 1-based number. A UTF-8 BOM before the first line is dropped. */
export interface Line {
  text: string;
  n: number;
}

/**
 * The lines of a stream (`\n` or `\r\n`), each decoded as UTF-8 (invalid bytes
 * become U+FFFD). Throws a UsageError naming `name:line` when a line is longer
 * than `max` bytes, or when the stream fails; stops reading either way.
 */
export async function* readLines(
  source: LineSource,
  what: string,
  max = MAX_LINE_BYTES,
): AsyncGenerator<Line> {
  const { name, input } = source;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let n = 0;
  const line = (tail: Buffer): Line => {
    const all = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    n++;
    let text = all.toString('utf8');
    if (n === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { text, n };
  };
  const tooLong = (): UsageError =>
    new UsageError(
      `${shown(name)}:${n + 1}: ${what} has a line longer than ${max} bytes (the limit; is it the right file?)`,
    );
  try {
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a)) {
        if (pendingBytes + nl > max) throw tooLong();
        yield line(buf.subarray(0, nl));
        buf = buf.subarray(nl + 1);
      }
      if (buf.length > 0) {
        if (pendingBytes + buf.length > max) throw tooLong();
        // Copy: the stream may reuse its buffer.
        pending.push(Buffer.from(buf));
        pendingBytes += buf.length;
      }
    }
    if (pendingBytes > 0) yield line(Buffer.alloc(0));
  } catch (error) {
    if (error instanceof UsageError || error instanceof Interrupted) throw error;
    throw new UsageError(`cannot read ${what} '${shown(name)}': ${describeFileError(error)}`);
  }
}
