// The rows of a CSV file the user named, streamed: a UTF-8 BOM is dropped, a
// row may hold at most `maxRecord` characters (memory stays bounded whatever
// the file's size), and csv-parse's faults become a UsageError naming the
// file and line in our words, never echoing the file's bytes.

import type { Hash } from 'node:crypto';
import { CsvError, parse } from 'csv-parse';
import { describeFileError, Interrupted, UsageError } from '../errors.js';
import { shown } from '../text/escape.js';
import { openInput } from './side-file.js';

export interface CsvRow {
  record: string[];
  /** The line the row ends on (1-based). */
  line: number;
}

export interface CsvRowOptions {
  /** The most characters one row may hold. */
  maxRecord: number;
  /** Trim fields and skip `#` comment lines (hand-written files). */
  loose?: boolean;
  /** The most bytes the whole file may hold. */
  maxBytes: number;
  /** Ends the read (Interrupted) when it aborts. */
  signal?: AbortSignal;
  /** Fed every byte read (a digest of the file). */
  digest?: Hash;
}

/** Streams the rows of `path`; `what` names the file in errors ("the baseline"). */
export async function* readCsvRows(
  path: string,
  what: string,
  options: CsvRowOptions,
): AsyncGenerator<CsvRow> {
  const { maxBytes: max, signal, digest } = options;
  const source = await openInput(path, what, { max, signal });
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: options.maxRecord,
    // Named, not detected: detection rescans a long first line (seconds on /dev/zero).
    record_delimiter: ['\r\n', '\n'],
    info: true,
    ...(options.loose ? { trim: true, comment: '#' } : {}),
  });
  source.input.on('error', (error) => parser.destroy(error));
  if (digest) source.input.on('data', (chunk: Buffer) => digest.update(chunk));
  source.input.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield { record: item.record, line: item.info.lines };
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof Interrupted) throw error;
    if (!(error instanceof CsvError)) {
      throw new UsageError(`cannot read ${what} '${shown(path)}': ${describeFileError(error)}`);
    }
    // Its message quotes the file's bytes: only the code and line are said.
    const e = error as CsvError & { lines?: number };
    const where = `${shown(path)}${e.lines ? `:${e.lines}` : ''}`;
    const why =
      e.code === 'CSV_MAX_RECORD_SIZE'
        ? `a row longer than ${options.maxRecord} characters (the limit)`
        : `not a CSV file (${String(e.code).replace(/^CSV_/, '').toLowerCase().replaceAll('_', ' ')})`;
    throw new UsageError(`${where}: ${what}: ${why}`);
  } finally {
    source.input.destroy();
    parser.destroy();
  }
}
