// The Erlang distribution handshake (erl_dist_protocol.md, "Distribution
// Handshake"; lib/kernel/src/dist_util.erl), as the initiating side A:
//   A -> B  send_name       'N' Flags:64 Creation:32 Nlen:16 Name
//   B -> A  recv_status     's' Status            (ok, nok, not_allowed, alive...)
//   B -> A  send_challenge  'N' Flags:64 Challenge:32 Creation:32 Nlen:16 Name
//   A -> B  challenge_reply 'r' ChallengeA:32 Digest:16   (--check-cookies only)
//   B -> A  challenge_ack   'a' Digest:16                 (the cookie was right)
// Every message is framed by a 2-byte big-endian length. Digest is
// MD5(Cookie ++ decimal(Challenge)) (dist_util:gen_digest/2, the same in OTP 25
// and 26+). --handshake stops after the challenge: it never authenticates.

import { nodeCrypto } from './lazy-crypto.js';

/** Capability flags (dist.hrl). */
export const DFLAG = {
  EXTENDED_REFERENCES: 0x4n,
  DIST_MONITOR: 0x8n,
  FUN_TAGS: 0x10n,
  NEW_FUN_TAGS: 0x80n,
  EXTENDED_PIDS_PORTS: 0x100n,
  EXPORT_PTR_TAG: 0x200n,
  BIT_BINARIES: 0x400n,
  NEW_FLOATS: 0x800n,
  UNICODE_IO: 0x1000n,
  UTF8_ATOMS: 0x10000n,
  MAP_TAG: 0x20000n,
  BIG_CREATION: 0x40000n,
  HANDSHAKE_23: 0x1000000n,
  UNLINK_ID: 0x2000000n,
  V4_NC: 1n << 34n,
} as const;

/**
 * What we announce: every flag OTP 25 and OTP 26+ make mandatory (tools that
 * send legacy flags are refused with `not_allowed`), and not DFLAG_PUBLISHED,
 * so we would be a hidden node.
 */
export const SCANNER_FLAGS = Object.values(DFLAG).reduce((a, b) => a | b, 0n);

/** send_name, version 6: Length:16, 'N', Flags:64, Creation:32, Nlen:16, Name. */
export function encodeSendName(name: string, creation: number, flags = SCANNER_FLAGS): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const body = Buffer.alloc(1 + 8 + 4 + 2 + nameBytes.length);
  body[0] = 0x4e; // 'N'
  body.writeBigUInt64BE(flags, 1);
  body.writeUInt32BE(creation >>> 0, 9);
  body.writeUInt16BE(nameBytes.length, 13);
  nameBytes.copy(body, 15);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

/** A fresh node name for one connection: valid under -sname rules and plainly a scanner. */
export function scannerNodeName(): string {
  // A node allows one pending handshake per peer name (a second one gets
  // `nok`), so concurrent checks, shards and reruns must never share a name.
  return `epmd-scan-${nodeCrypto().randomBytes(6).toString('hex')}@scanner`;
}

export interface Challenge {
  /** The node's full name, e.g. rabbit@internal-host: leaks a hostname. */
  fullName: string;
  /** Capability flags, as 0x-prefixed hex. */
  flags: string;
  creation: number | null;
  /** The node's challenge to us, a 32-bit number. */
  challenge: number;
  /** 5 for the old 'n' challenge, 6 for 'N'. */
  version: 5 | 6;
}

export interface HandshakeReply {
  /** The status the node sent: ok, ok_simultaneous, nok, not_allowed, alive, named:..., or null. */
  status: string | null;
  challenge: Challenge | null;
  /** Why the reply could not be read to the challenge. */
  error: string | null;
  /** The bytes hold everything there is to read (close now). */
  done: boolean;
}

/** No status or challenge frame is longer (a name is at most 1020 bytes). */
const MAX_FRAME = 2048;

/** Splits 2-byte-length frames off the front of `b`. */
function frames(b: Buffer): { list: Buffer[]; rest: number } {
  const list: Buffer[] = [];
  let at = 0;
  while (at + 2 <= b.length) {
    const len = b.readUInt16BE(at);
    if (at + 2 + len > b.length) break;
    list.push(b.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return { list, rest: b.length - at };
}

function printable(b: Buffer): string {
  // Node names are atoms: keep them readable, never raw control bytes.
  let s = '';
  for (const c of b)
    s +=
      c >= 0x20 && c < 0x7f && c !== 0x5c
        ? String.fromCharCode(c)
        : `\\x${c.toString(16).padStart(2, '0')}`;
  return s;
}

function parseChallenge(f: Buffer): Challenge | null {
  if (f[0] === 0x4e && f.length >= 19) {
    const nlen = f.readUInt16BE(17);
    if (f.length !== 19 + nlen) return null;
    return {
      fullName: printable(f.subarray(19)),
      flags: `0x${f.readBigUInt64BE(1).toString(16)}`,
      creation: f.readUInt32BE(13),
      challenge: f.readUInt32BE(9),
      version: 6,
    };
  }
  if (f[0] === 0x6e && f.length >= 11) {
    return {
      fullName: printable(f.subarray(11)),
      flags: `0x${f.readUInt32BE(3).toString(16)}`,
      creation: null,
      challenge: f.readUInt32BE(7),
      version: 5,
    };
  }
  return null;
}

/**
 * A TLS record (RFC 8446 5.1: ContentType, then legacy version 3.x): an alert
 * (21) or a handshake such as ServerHello (22). A node started with
 * `-proto_dist inet_tls` answers our plain send_name with an alert.
 */
function isTlsRecord(b: Buffer): boolean {
  return b.length >= 2 && (b[0] === 0x15 || b[0] === 0x16) && b[1] === 0x03;
}

/** Reads the node's answer to send_name so far. Never throws. */
export function parseHandshakeReply(bytes: Uint8Array): HandshakeReply {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (isTlsRecord(b)) return { status: null, challenge: null, error: 'tls', done: true };
  // Status and challenge frames are small; a larger length is some other protocol.
  if (b.length >= 2 && b.readUInt16BE(0) > MAX_FRAME) {
    return { status: null, challenge: null, error: 'not-erlang-distribution', done: true };
  }
  const { list } = frames(b);
  const first = list[0];
  if (!first) return { status: null, challenge: null, error: null, done: false };
  if (first[0] !== 0x73) {
    return { status: null, challenge: null, error: 'not-erlang-distribution', done: true };
  }
  const status = printable(first.subarray(1));
  if (status !== 'ok' && status !== 'ok_simultaneous' && !status.startsWith('named:')) {
    // nok, not_allowed, alive: the node says no and closes (or waits for us to).
    return { status, challenge: null, error: null, done: true };
  }
  const second = list[1];
  if (!second) return { status, challenge: null, error: null, done: false };
  const challenge = parseChallenge(second);
  return { status, challenge, error: challenge ? null : 'bad-challenge', done: true };
}

/** dist_util:gen_digest/2: MD5 of the cookie's bytes followed by the challenge in decimal. */
export function cookieDigest(cookie: Uint8Array, challenge: number): Buffer {
  return nodeCrypto()
    .createHash('md5')
    .update(cookie)
    .update(String(challenge >>> 0), 'latin1')
    .digest();
}

/** send_challenge_reply: Length:16, 'r', our challenge to the node:32, Digest:16. */
export function encodeChallengeReply(ourChallenge: number, digest: Uint8Array): Buffer {
  const b = Buffer.alloc(2 + 1 + 4 + 16);
  b.writeUInt16BE(21, 0);
  b[2] = 0x72; // 'r'
  b.writeUInt32BE(ourChallenge >>> 0, 3);
  Buffer.from(digest.buffer, digest.byteOffset, digest.length).copy(b, 7, 0, 16);
  return b;
}

/** What followed our challenge reply so far. */
export interface AckReply {
  /** The node's digest from its challenge_ack, or null. */
  digest: Buffer | null;
  /** The bytes hold a whole ack, or something else after the challenge (close now). */
  done: boolean;
  /** Something other than an ack came after the challenge. */
  error: string | null;
}

/** Reads the challenge_ack ('a' Digest:16) that follows the status and the challenge. */
export function parseChallengeAck(bytes: Uint8Array): AckReply {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const { list } = frames(b);
  const ack = list[2];
  if (!ack) return { digest: null, done: false, error: null };
  if (ack[0] !== 0x61 || ack.length !== 17) return { digest: null, done: true, error: 'bad-ack' };
  return { digest: Buffer.from(ack.subarray(1)), done: true, error: null };
}
