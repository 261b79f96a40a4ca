// --check-cookies on one node: one connection per candidate cookie, the whole
// handshake as the initiating side (epmd/handshake.ts), closed the moment the
// node's challenge_ack has arrived. Nothing is ever sent after our challenge
// reply: no message, no RPC, no spawn.

import { randomInt } from 'node:crypto';
import { cookieCandidates } from '../epmd/cookies.js';
import {
  cookieDigest,
  encodeChallengeReply,
  parseChallengeAck,
  parseHandshakeReply,
} from '../epmd/handshake.js';
import type { NamesNode } from '../epmd/names.js';
import type { NodeEntry } from '../record.js';
import {
  connect,
  type FollowUpEnv,
  type FollowUpGroup,
  failure,
  sendName,
} from './follow-up-group.js';

/** Cookies tried per node unless --cookie-attempts says otherwise. */
export const DEFAULT_COOKIE_ATTEMPTS = 3;

/** How one attempt ended: the cookie was accepted or rejected, or why neither is known. */
type Attempt = 'accepted' | 'rejected' | 'aborted' | (string & {});

/** Tries candidate cookies on a node whose handshake said ok; false when stopped midway. */
export async function checkCookies(
  ip: string,
  node: NamesNode,
  entry: NodeEntry,
  options: { cookies?: readonly string[]; cookieAttempts?: number },
  env: FollowUpEnv,
  group: FollowUpGroup,
): Promise<boolean> {
  const candidates = cookieCandidates(node, options.cookies).slice(
    0,
    options.cookieAttempts ?? DEFAULT_COOKIE_ATTEMPTS,
  );
  if (entry.distStatus !== 'ok' || candidates.length === 0) {
    entry.cookie = 'not-tried';
    return true;
  }
  let problem: string | null = null;
  for (const candidate of candidates) {
    const result = await tryCookie(ip, node.port, candidate.bytes, env, group);
    if (result === 'aborted') return false;
    if (result === 'accepted') {
      entry.cookie = `accepted: ${candidate.label}`;
      return true;
    }
    if (result !== 'rejected') problem ??= result;
  }
  if (problem === null) entry.cookie = 'rejected';
  else {
    entry.cookie = 'inconclusive';
    entry.cookieError = problem;
  }
  return true;
}

/**
 * One connection, one cookie: send_name, and on `ok` and the node's challenge
 * our challenge reply. A challenge_ack means the node took our digest; the
 * connection is closed the moment it has arrived, with nothing sent after
 * the reply (no message, no RPC, no spawn). The ack's own digest must prove
 * that the node holds the same cookie.
 */
async function tryCookie(
  ip: string,
  port: number,
  cookie: Buffer,
  env: FollowUpEnv,
  group: FollowUpGroup,
): Promise<Attempt> {
  let ours: number | null = null;
  const answer = (bytes: Buffer): Uint8Array | null => {
    if (ours !== null) return null;
    const r = parseHandshakeReply(bytes);
    if (r.status !== 'ok' || !r.challenge) return null;
    // Never the node's own challenge back (a reflection would prove nothing).
    ours = (r.challenge.challenge ^ randomInt(1, 2 ** 32)) >>> 0;
    return encodeChallengeReply(ours, cookieDigest(cookie, r.challenge.challenge));
  };
  const until = (bytes: Buffer): boolean => {
    const r = parseHandshakeReply(bytes);
    if (r.done && !(r.status === 'ok' && r.challenge)) return true;
    return ours !== null && parseChallengeAck(bytes).done;
  };
  const o = await connect(env, group, ip, port, sendName(), { answer, until });
  if (o.end === 'aborted') return 'aborted';
  if (!o.connected) return failure(o);
  const hs = parseHandshakeReply(o.bytes);
  if (hs.error) return hs.error;
  if (hs.status === null) return failure(o) === 'error' ? 'no-reply' : failure(o);
  if (hs.status !== 'ok') return `status-${hs.status}`;
  if (ours === null) return failure(o) === 'error' ? 'no-challenge' : failure(o);
  const ack = parseChallengeAck(o.bytes);
  if (ack.error) return ack.error;
  if (ack.digest)
    return ack.digest.equals(cookieDigest(cookie, ours)) ? 'accepted' : 'bad-ack-digest';
  // The node closed the connection on our reply: it refused the digest.
  if (o.end === 'eof' || o.end === 'reset') return 'rejected';
  return failure(o);
}
