// --check-cookies [file]: the candidate cookies, read before the first packet.
// A cookie from the file is a secret: no message here (nor anywhere in the
// report) ever shows one, only its line number.

import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { readWhole, SIZE_LIMITS } from '../files/side-file.js';
import type { ScanOptions } from '../scan/options.js';

/** Erlang atoms (and so cookies) are at most 255 characters. */
const MAX_COOKIE_BYTES = 255;
/** More would never be tried: --cookie-attempts is at most 100. */
const MAX_COOKIES = 100;

/** The cookies of a file: one per line, as raw bytes; blank lines and `#` lines skipped. */
export function parseCookieFile(bytes: Buffer, path: string): string[] {
  const cookies: string[] = [];
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    let raw = bytes.subarray(start, end);
    start = end + 1;
    if (raw.at(-1) === 0x0d) raw = raw.subarray(0, -1);
    if (raw.length === 0 || raw[0] === 0x23) continue;
    if (raw.length > MAX_COOKIE_BYTES) {
      throw new UsageError(
        `${path}, line ${line}: a cookie is at most ${MAX_COOKIE_BYTES} bytes (an Erlang atom)`,
      );
    }
    if (cookies.length === MAX_COOKIES) {
      throw new UsageError(`${path}: more than ${MAX_COOKIES} cookies`, 'keep the likely ones');
    }
    cookies.push(raw.toString('latin1'));
  }
  if (cookies.length === 0) {
    throw new UsageError(
      `${path}: no cookie in the file`,
      'one cookie per line; # starts a comment',
    );
  }
  return cookies;
}

/** The scan options for cookie checks, and what a checkpoint records of them. */
export interface CookieSettings {
  options: Pick<ScanOptions, 'checkCookies' | 'cookies' | 'cookieAttempts'>;
  /** null: no --check-cookies; `built-in`; or the cookie file's digest (never a cookie). */
  identity: string | null;
}

/** The scan options for cookie checks; reads the file (a regular file, read whole) if one was given. */
export async function cookieOptions(
  options: { checkCookies?: boolean | string; cookieAttempts: number },
  signal?: AbortSignal,
): Promise<CookieSettings> {
  if (!options.checkCookies) return { options: {}, identity: null };
  let cookies: string[] | undefined;
  let identity = 'built-in';
  if (typeof options.checkCookies === 'string') {
    const path = options.checkCookies;
    const bytes = await readWhole(path, 'the cookie file', SIZE_LIMITS.cookies, signal);
    cookies = parseCookieFile(bytes, path);
    identity = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }
  return {
    options: { checkCookies: true, cookies, cookieAttempts: options.cookieAttempts },
    identity,
  };
}

/** Said on stderr when --check-cookies is on. */
export const COOKIE_WARNING =
  '--check-cookies authenticates to every node that accepts a cookie it tries: only scan systems you are authorised to test';
