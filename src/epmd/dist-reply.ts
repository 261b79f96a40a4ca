// What a port answers to our send_name (handshake.ts), read strictly enough
// to say whether it speaks Erlang distribution (--probe dist). Pure: bytes in,
// a reading out, no sockets; never throws.
//
// The rule a dist record's status rests on:
//  1. A TLS record header (content type 21 alert or 22 handshake, then 3.0-3.4)
//     is `tls`: a node started with `-proto_dist inet_tls` answers our plain
//     send_name with an alert (`15 03 03 00 02 02 0a`, captured from OTP 25).
//  2. Otherwise the reply must open with a status frame: a 2-byte length of 3
//     to MAX_STATUS_FRAME, then `s`, then one of the statuses dist_util sends
//     (ok, ok_simultaneous, nok, not_allowed, alive, named:). Anything else
//     is some other protocol: AMQP's `AMQP\0\0\x09\x01` reads as a length of
//     16717, HTTP's `HTTP/1.1 400` as 18516.
//  3. After ok, ok_simultaneous or named: the node sends its challenge: `N`
//     (version 6) flags:64 challenge:32 creation:32 nlen:16 name, or the old
//     `n` (version 5). A status alone already proves the protocol; a challenge
//     that cannot be read is `bad-challenge`, one that never came `no-challenge`.
//
// Caps: a verdict is reached within MAX_DIST_READ bytes whatever the peer
// sends (a length beyond a cap decides at once), so a reader can stop there.

import { escapeWireBytes } from '../text/escape.js';
import { MAX_NAME_BYTES, MAX_NAME_CHARS } from './names.js';

/** The statuses a node sends (dist_util:recv_status); `named` stands for `named:` and its payload. */
export const HANDSHAKE_STATUSES = [
  'ok',
  'ok_simultaneous',
  'nok',
  'not_allowed',
  'alive',
  'named',
] as const;
export type HandshakeStatus = (typeof HANDSHAKE_STATUSES)[number];

/** The statuses after which the node sends its challenge. */
const GOES_ON: ReadonlySet<HandshakeStatus> = new Set(['ok', 'ok_simultaneous', 'named']);

/** `s` + `named:` + nlen:16 + a name + creation:32 is the longest status. */
export const MAX_STATUS_FRAME = 1 + 6 + 2 + MAX_NAME_BYTES + 4;
/** `N` flags:64 challenge:32 creation:32 nlen:16, then the full name. */
export const MAX_CHALLENGE_FRAME = 19 + MAX_NAME_BYTES;
/** Bytes after which every reply has a verdict. */
export const MAX_DIST_READ = 2 + MAX_STATUS_FRAME + 2 + MAX_CHALLENGE_FRAME;

/** What a node says about itself in its challenge. */
export interface NodeChallenge {
  /** The node's full name as safe text (\xNN escapes), e.g. rabbit@internal-host. */
  fullName: string;
  /** The full name exactly as received. */
  nameBytes: Uint8Array;
  /** 6 for the `N` challenge, 5 for the old `n`. */
  version: 5 | 6;
  /** The node's capability flags (dist.hrl DFLAG_*). */
  flags: bigint;
  /** Version 6 only: the node's incarnation, random per start. */
  creation: number | null;
  /** The node's challenge to us (a digest of it and the cookie answers it). */
  challenge: number;
}

/** Why a reply is not Erlang distribution. */
export type NotDistReason = 'empty-reply' | 'short-reply' | 'bad-frame' | 'unknown-status';

export type DistReply =
  /** Too few bytes to decide, and more may come. */
  | { kind: 'incomplete' }
  | { kind: 'tls' }
  | { kind: 'other'; reason: NotDistReason }
  | {
      kind: 'dist';
      status: HandshakeStatus;
      challenge: NodeChallenge | null;
      /** Why there is no challenge after a status that promises one. */
      problem: 'no-challenge' | 'bad-challenge' | null;
      /** The challenge may still come (the read is not over). */
      more: boolean;
    };

export interface DistReadOptions {
  /** The reply ended at EOF (true, the default): nothing more will come. */
  complete?: boolean;
}

const S = 0x73;

function isTls(b: Buffer): boolean | null {
  if (b[0] !== 0x15 && b[0] !== 0x16) return false;
  if (b.length < 2) return null;
  if (b[1] !== 0x03) return false;
  if (b.length < 3) return null;
  return (b[2] as number) <= 0x04;
}

function statusOf(text: Buffer): HandshakeStatus | null {
  const s = text.toString('latin1');
  if (s.startsWith('named:')) return 'named';
  return (HANDSHAKE_STATUSES as readonly string[]).includes(s) && s !== 'named'
    ? (s as HandshakeStatus)
    : null;
}

/** A full name as a node sends it: 1..255 characters, `name@host` with both parts. */
function fullNameOf(bytes: Buffer): string | null {
  if (bytes.length < 3 || bytes.length > MAX_NAME_BYTES) return null;
  const at = bytes.indexOf(0x40);
  if (at < 1 || at === bytes.length - 1) return null;
  const { text, chars } = escapeWireBytes(bytes);
  return chars <= MAX_NAME_CHARS ? text : null;
}

/** Reads a whole challenge frame (without its length), or null when it is not one. */
export function readChallenge(f: Buffer): NodeChallenge | null {
  if (f[0] === 0x4e && f.length >= 19 && f.length === 19 + f.readUInt16BE(17)) {
    const nameBytes = f.subarray(19);
    const fullName = fullNameOf(nameBytes);
    if (fullName === null) return null;
    return {
      fullName,
      nameBytes: Uint8Array.from(nameBytes),
      version: 6,
      flags: f.readBigUInt64BE(1),
      creation: f.readUInt32BE(13),
      challenge: f.readUInt32BE(9),
    };
  }
  if (f[0] === 0x6e && f.length >= 11 && f.readUInt16BE(1) === 5) {
    const nameBytes = f.subarray(11);
    const fullName = fullNameOf(nameBytes);
    if (fullName === null) return null;
    return {
      fullName,
      nameBytes: Uint8Array.from(nameBytes),
      version: 5,
      flags: BigInt(f.readUInt32BE(3)),
      creation: null,
      challenge: f.readUInt32BE(7),
    };
  }
  return null;
}

/** The challenge after a status that promises one, at byte `at` of `b`. */
function afterStatus(b: Buffer, at: number, status: HandshakeStatus, complete: boolean): DistReply {
  const dist = { kind: 'dist', status } as const;
  if (b.length < at + 2) {
    return complete
      ? { ...dist, challenge: null, problem: 'no-challenge', more: false }
      : { ...dist, challenge: null, problem: null, more: true };
  }
  const len = b.readUInt16BE(at);
  if (len < 11 || len > MAX_CHALLENGE_FRAME) {
    return { ...dist, challenge: null, problem: 'bad-challenge', more: false };
  }
  if (b.length < at + 2 + len) {
    return complete
      ? { ...dist, challenge: null, problem: 'bad-challenge', more: false }
      : { ...dist, challenge: null, problem: null, more: true };
  }
  const challenge = readChallenge(b.subarray(at + 2, at + 2 + len));
  return { ...dist, challenge, problem: challenge ? null : 'bad-challenge', more: false };
}

/** Reads the reply to send_name so far. */
export function readDistReply(bytes: Uint8Array, options: DistReadOptions = {}): DistReply {
  const complete = options.complete ?? true;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const short = (): DistReply =>
    complete
      ? { kind: 'other', reason: b.length === 0 ? 'empty-reply' : 'short-reply' }
      : {
          kind: 'incomplete',
        };
  if (b.length === 0) return short();
  const tls = isTls(b);
  if (tls === true) return { kind: 'tls' };
  if (tls === null) return short();
  if (b.length < 2) {
    // The high byte of a length no greater than MAX_STATUS_FRAME.
    return (b[0] as number) <= MAX_STATUS_FRAME >> 8
      ? short()
      : { kind: 'other', reason: 'bad-frame' };
  }
  const len = b.readUInt16BE(0);
  if (len < 3 || len > MAX_STATUS_FRAME) return { kind: 'other', reason: 'bad-frame' };
  if (b.length < 3) return short();
  if (b[2] !== S) return { kind: 'other', reason: 'bad-frame' };
  if (b.length < 2 + len) return short();
  const status = statusOf(b.subarray(3, 2 + len));
  if (status === null) return { kind: 'other', reason: 'unknown-status' };
  if (!GOES_ON.has(status))
    return { kind: 'dist', status, challenge: null, problem: null, more: false };
  return afterStatus(b, 2 + len, status, complete);
}

/** True once the bytes so far have a verdict (the read can end). */
export function distReplyDone(bytes: Uint8Array): boolean {
  const r = readDistReply(bytes, { complete: false });
  return r.kind !== 'incomplete' && !(r.kind === 'dist' && r.more);
}

/** DFLAG_PUBLISHED: a node started with -hidden leaves it out of its challenge. */
export const DFLAG_PUBLISHED = 0x1n;

/** Flags as `0x`-prefixed lower-case hex, as the NAMES follow-ups write them. */
export function flagsHex(flags: bigint): string {
  return `0x${flags.toString(16)}`;
}
