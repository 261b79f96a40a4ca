// The NDJSON contract: schema/record.schema.json, compiled once with ajv.
// The CLI helpers run every NDJSON line a test produces through it, so a
// test that makes a record of the wrong shape fails wherever it is.

import { readFileSync, statSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

export const SCHEMA_PATH = new URL('../../schema/record.schema.json', import.meta.url);

const ajv = new Ajv2020({ allErrors: true, strict: true });
export const validateRecord = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));

/** The schema's complaints about one record, in words; empty when it is valid. */
export function schemaErrors(record: unknown): string[] {
  if (validateRecord(record)) return [];
  return (validateRecord.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/**
 * Validates every complete line of NDJSON text (an unterminated last line,
 * from a process killed mid-write, is left out); throws naming the first bad
 * line and why. Returns how many lines were checked.
 */
export function assertNdjson(text: string, where: string): number {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a line cut short
  let n = 0;
  for (const line of lines) {
    if (line === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not JSON: ${(error as Error).message}: ${line.slice(0, 200)}`);
    }
    const errors = schemaErrors(record);
    if (errors.length > 0) {
      throw new Error(
        `${where}: a record breaks schema/record.schema.json: ${errors.join('; ')}\n${line.slice(0, 500)}`,
      );
    }
    n++;
  }
  return n;
}

/** The format and -o file argv asks for (as commander reads them). */
export function ndjsonTargets(args: readonly string[]): { ndjson: boolean; output: string | null } {
  let format = 'csv';
  let output: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') break;
    // A listing is addresses, whatever -f says.
    if (a === '--list-targets') return { ndjson: false, output: null };
    const next = args[i + 1];
    if ((a === '-f' || a === '--format') && next !== undefined) format = next;
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a.startsWith('-f') && a.length > 2 && !a.startsWith('--')) format = a.slice(2);
    else if ((a === '-o' || a === '--output') && next !== undefined) output = next;
    else if (a.startsWith('--output=')) output = a.slice('--output='.length);
  }
  return { ndjson: format === 'ndjson', output };
}

/**
 * What a CLI run wrote, validated when argv asks for NDJSON: stdout, and the
 * -o file if it exists (a regular file; a FIFO or device is read by the test).
 * A run refused with exit 2 wrote no file: what is there is another run's.
 */
export function assertRunNdjson(
  args: readonly string[],
  stdout: string,
  code: number | null,
  cwd?: string,
): void {
  const { ndjson, output } = ndjsonTargets(args);
  if (!ndjson) return;
  assertNdjson(stdout, `epmd-scan ${args.join(' ').slice(0, 200)}: stdout`);
  if (output === null || output === '-' || code === 2) return;
  const path = cwd && !output.startsWith('/') ? `${cwd}/${output}` : output;
  // The report, and what an interrupted run left in <file>.partial.
  for (const file of [path, `${path}.partial`]) {
    let text: string;
    try {
      if (!statSync(file).isFile()) continue;
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // not written (a refused run, a stopped one)
    }
    assertNdjson(text, `epmd-scan ${args.join(' ').slice(0, 200)}: ${file}`);
  }
}
