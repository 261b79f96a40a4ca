// Option value parsers: each names the option, the value and what was expected.

import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';
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

/** `auto`, or a whole number of worker threads (0 = none). */
export function workerThreads(value: string): number | 'auto' {
  if (value.trim() === 'auto') return 'auto';
  if (!/^\d+$/.test(value.trim()) || Number(value) > 64) {
    throw new InvalidArgumentError('Expected auto or a whole number from 0 to 64.');
  }
  return Number(value);
}

/** `4369` or `4369,14369`: TCP ports 1..65535, duplicates dropped, order kept. */
export function portList(value: string): number[] {
  const ports: number[] = [];
  for (const part of value.split(',')) {
    const p = part.trim();
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) {
      throw new InvalidArgumentError(
        `'${part}' is not a TCP port: expected numbers from 1 to 65535, comma-separated.`,
      );
    }
    if (!ports.includes(Number(p))) ports.push(Number(p));
  }
  return ports;
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

/** A non-empty string of at most `max` characters. */
export function nonEmpty(max: number) {
  return (value: string): string => {
    if (value.length < 1 || value.length > max) {
      throw new InvalidArgumentError(`Expected 1 to ${max} characters.`);
    }
    return value;
  };
}

/** Where to listen: an address and a port (0 = any free one). */
export interface HostPort {
  host: string;
  port: number;
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
