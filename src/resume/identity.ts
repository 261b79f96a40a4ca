// What makes two runs the same run, so that they may share a checkpoint:
// the probe sequence (targets, ports, seed, shard), the reports, and every
// setting that changes what a record holds. A resume with another one would
// mix two kinds of records in one report; it is refused, naming the flag.
//
// Not recorded, on purpose: --timeout, --connect-timeout, --retries, --rate,
// -c and --workers change how long a probe may take and how many run at
// once, not what a record holds; a sweep may be resumed more gently.

import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { TargetOrder } from '../targets/order.js';

/** The settings that change what a record holds (beyond the probe sequence and the reports). */
export interface RecordSettings {
  /** -S: `v4 v6` in canonical text, or null. */
  sourceIp: string | null;
  nodeInfo: boolean;
  checkDist: boolean;
  handshake: boolean;
  /** null, `built-in`, or `sha256:` and the digest of the cookie file (never a cookie). */
  checkCookies: string | null;
  /** With --check-cookies only. */
  cookieAttempts: number | null;
  /** With a follow-up only. */
  followUpTimeout: number | null;
  maxReply: number;
  /** -n turns it off. */
  resolve: boolean;
  cityDb: boolean;
  asnDb: boolean;
  assetMap: boolean;
  /** `sha256:` and the digest of --baseline's bytes: which probes of it the found-log keeps. */
  baseline: string | null;
}

/** The flag each record setting comes from, as messages name it. */
export const RECORD_FLAGS: Record<keyof RecordSettings, string> = {
  sourceIp: '-S (--source-ip)',
  nodeInfo: '--node-info',
  checkDist: '--check-dist',
  handshake: '--handshake',
  checkCookies: '--check-cookies (or its cookie file)',
  cookieAttempts: '--cookie-attempts',
  followUpTimeout: '--follow-up-timeout',
  maxReply: '--max-reply',
  resolve: '-n (--no-resolve)',
  cityDb: '--city-db',
  asnDb: '--asn-db',
  assetMap: '--asset-map',
  baseline: '--baseline (or its content)',
};

/** What makes two runs the same run: they must agree on every field to share a checkpoint. */
export interface RunIdentity {
  /** Hash of the target set, ports, seed and shard. */
  fingerprint: string;
  /** Positions in this shard. */
  size: number;
  ports: number[];
  /** The shuffle seed (reused on resume when it was generated), or null. */
  seed: string | null;
  /** `i/n`, or null. */
  shard: string | null;
  /** Every report: its format and real path (or `stdout`). */
  outputs: { format: string; path: string }[];
  all: boolean;
  nodeSeparator: string;
  severity: string;
  records: RecordSettings;
}

/** Fingerprint of the probe sequence: same targets, ports, seed and shard, same value. */
export function fingerprint(order: TargetOrder): string {
  const h = createHash('sha256');
  for (const part of order.space.fingerprintParts()) h.update(part);
  const { ports, shuffle, shard } = order.options;
  h.update(JSON.stringify({ ports, shuffle: shuffle ?? null, shard: shard ?? null }));
  return h.digest('hex').slice(0, 32);
}

/** The identity fields but `records`, in the order they are compared, and how messages name them. */
const WORDS: Record<Exclude<keyof RunIdentity, 'records'>, string> = {
  outputs: 'other reports or formats (-o, -f)',
  all: 'another --all',
  nodeSeparator: 'another --node-separator',
  severity: 'another --severity',
  ports: 'other ports (-p)',
  seed: 'another --shuffle seed',
  shard: 'another --shard',
  size: 'another number of targets',
  fingerprint: 'another target list',
};

/** A value as a message shows it: a digest is "a file", never its bytes. */
const show = (value: unknown): string =>
  typeof value === 'string' && value.startsWith('sha256:') ? 'a file' : JSON.stringify(value);

/** Every difference between two identities: what it is called, and the values shown. */
function* differences(was: RunIdentity, now: RunIdentity): Generator<[string, string, string]> {
  for (const key of Object.keys(WORDS) as (keyof typeof WORDS)[]) {
    const [a, b] = [JSON.stringify(was[key]), JSON.stringify(now[key])];
    if (a !== b) yield [WORDS[key], key === 'fingerprint' ? '' : a, b];
  }
  for (const key of Object.keys(RECORD_FLAGS) as (keyof RecordSettings)[]) {
    const [a, b] = [was.records[key], now.records[key]];
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      const words = show(a) === show(b) ? ['one file', 'another'] : [show(a), show(b)];
      yield [`another ${RECORD_FLAGS[key]}`, words[0] as string, words[1] as string];
    }
  }
}

/** Refuses a checkpoint of another run, naming the first field that differs. */
export function checkSameRun(path: string, cp: RunIdentity, now: RunIdentity): void {
  for (const [what, was, is] of differences(cp, now)) {
    throw new UsageError(
      `the checkpoint '${path}' was written for ${what}${was === '' ? '' : `: it has ${was}, this run ${is}`}`,
      'resume with exactly the arguments of the interrupted scan, or use another --resume file to start a new one',
    );
  }
}
