// Option value parsers: each names the option, the value and what was expected.

import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';
import type { HostPort } from '../app/run-options.js';
import { UsageError } from '../errors.js';
import { addSourceIp, type SourceAddresses } from '../net/source.js';
import { SEVERITIES, type Severity } from '../record.js';

/** A whole number within [min, max]. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    }
    const n = Number(value);
    if (n < min || n > max) {
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A time as nmap writes it (`30s`, `5m`, `500ms`, `1h`; a bare number is
 * seconds), in milliseconds: 0, or from 100 ms to 24 h.
 */
export function timeSpan(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] ?? 's'] as number) : Number.NaN;
  if (!(ms === 0 || (ms >= 100 && ms <= 86_400_000))) {
    throw new InvalidArgumentError(
      'Expected a time such as 30s, 5m, 500ms or 1h (a bare number is seconds), from 100ms to 24h, or 0 for none.',
    );
  }
  return Math.round(ms);
}

/** `auto`, or a whole number of worker threads (0 = none). */
export function workerThreads(value: string): number | 'auto' {
  if (value.trim() === 'auto') return 'auto';
  if (!/^\d+$/.test(value.trim()) || Number(value) > 64) {
    throw new InvalidArgumentError('Expected auto or a whole number from 0 to 64.');
  }
  return Number(value);
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`Expected one of: ${choices.join(', ')}.`);
    }
    return value as T;
  };
}

export const severity = oneOf<Severity>(SEVERITIES);

/**
 * A parser that may throw UsageError (the library's own parsers, e.g.
 * parseShard), made into one commander reports as a usage error: commander
 * passes on any other error unchanged, which would be an internal error.
 */
export function usageParser<T>(parse: (value: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof UsageError) {
        throw new InvalidArgumentError(
          error.hint ? `${error.message}\nhint: ${error.hint}` : error.message,
        );
      }
      throw error;
    }
  };
}

/** A file name: not empty (an empty value is a mistake, e.g. an unset shell variable). */
export function fileName(value: string): string {
  if (value === '') throw new InvalidArgumentError('Expected a file name, not an empty value.');
  if (value.includes('\0'))
    throw new InvalidArgumentError('Expected a file name, without NUL bytes.');
  return value;
}

/** A repeatable file name option. */
export function fileNames(value: string, previous: string[] = []): string[] {
  return [...previous, fileName(value)];
}

/**
 * The CSV node separator. The rule: 1 to 4 characters of printable ASCII
 * punctuation or space, except `,` (it splits a node's name from its port),
 * `\` (it starts the `\xNN` escapes) and `"` (CSV's quote). Letters and digits
 * are refused too: they occur in node names, ports and escapes, which would
 * make the field impossible to split back.
 */
export function nodeSeparator(value: string): string {
  if (!/^[\x20-\x7e]{1,4}$/.test(value) || /[A-Za-z0-9,\\"]/.test(value)) {
    throw new InvalidArgumentError(
      'Expected 1 to 4 punctuation characters or spaces other than , \\ and " (e.g. ; or |).',
    );
  }
  return value;
}

/** `127.0.0.1:9464`, `[::1]:9464` or `0.0.0.0:0`: an IP address (listened on as given) and a port. */
export function hostPort(value: string): HostPort {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(value) ?? /^([0-9.]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || isIP(m[1] as string) === 0 || port > 65535) {
    throw new InvalidArgumentError(
      'Expected <address>:<port>, e.g. 127.0.0.1:9464 or [::1]:9464 (port 0: any free port).',
    );
  }
  return { host: m[1] as string, port };
}

/** A repeatable `-S`: one source address per family (UsageError made a usage error). */
export function sourceIps(value: string, previous?: SourceAddresses): SourceAddresses {
  return usageParser((v: string) => addSourceIp(v, previous))(value);
}
