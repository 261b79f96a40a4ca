// --check-cookies on one node: one connection per candidate cookie, the whole
// handshake as the initiating side (epmd/handshake.ts), closed the moment the
// node's challenge_ack has arrived. Nothing is ever sent after our challenge
// reply: no message, no RPC, no spawn.

import { cookieCandidates } from '../epmd/cookies.js';
import {
  cookieDigest,
  encodeChallengeReply,
  parseChallengeAck,
  parseHandshakeReply,
} from '../epmd/handshake.js';
import { nodeCrypto } from '../epmd/lazy-crypto.js';
import type { NamesNode } from '../epmd/names.js';
import {
  connect,
  type FollowUpEnv,
  type FollowUpGroup,
  failure,
  sendName,
} from './follow-up-group.js';
import type { CookieOutcome, HandshakeOutcome } from './outcomes.js';
import type { NodeChecks } from './plan.js';

/**
 * How one attempt ended: the cookie was accepted or rejected, the scan
 * stopped, the node's status was not ok, or why neither is known.
 */
type Attempt =
  | { end: 'accepted' | 'rejected' | 'aborted' }
  | { end: 'status'; status: string }
  | { end: 'failed'; error: string };

const failed = (error: string): Attempt => ({ end: 'failed', error });

/** What an inconclusive attempt says in `cookie_error`: `status-nok`, `io-timeout`, ... */
function attemptError(a: Attempt): string {
  if (a.end === 'status') return `status-${a.status}`;
  return a.end === 'failed' ? a.error : a.end;
}

/**
 * Tries candidate cookies on a node whose handshake said ok; null when
 * stopped midway. `node` gives the built-in candidates (its name among them).
 */
export async function checkCookies(
  ip: string,
  node: NamesNode,
  handshake: HandshakeOutcome | undefined,
  checks: NodeChecks,
  env: FollowUpEnv,
  group: FollowUpGroup,
): Promise<CookieOutcome | null> {
  const candidates = cookieCandidates(node, checks.cookies ?? undefined).slice(
    0,
    checks.cookieAttempts,
  );
  const ok = handshake?.outcome === 'status' && handshake.status === 'ok';
  if (!ok || candidates.length === 0) return { outcome: 'not-tried' };
  let problem: Attempt | null = null;
  for (const candidate of candidates) {
    const result = await tryCookie(ip, node.port, candidate.bytes, env, group);
    if (result.end === 'aborted') return null;
    if (result.end === 'accepted') return { outcome: 'accepted', cookie: candidate.label };
    if (result.end !== 'rejected') problem ??= result;
  }
  return problem === null
    ? { outcome: 'rejected' }
    : { outcome: 'inconclusive', error: attemptError(problem) };
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
    ours = (r.challenge.challenge ^ nodeCrypto().randomInt(1, 2 ** 32)) >>> 0;
    return encodeChallengeReply(ours, cookieDigest(cookie, r.challenge.challenge));
  };
  const until = (bytes: Buffer): boolean => {
    const r = parseHandshakeReply(bytes);
    if (r.done && !(r.status === 'ok' && r.challenge)) return true;
    return ours !== null && parseChallengeAck(bytes).done;
  };
  const o = await connect(env, group, ip, port, sendName(), { answer, until });
  if (o.end === 'aborted') return { end: 'aborted' };
  if (!o.connected) return failed(failure(o));
  const hs = parseHandshakeReply(o.bytes);
  if (hs.error) return failed(hs.error);
  if (hs.status === null) return failed(failure(o) === 'error' ? 'no-reply' : failure(o));
  if (hs.status !== 'ok') return { end: 'status', status: hs.status };
  if (ours === null) return failed(failure(o) === 'error' ? 'no-challenge' : failure(o));
  const ack = parseChallengeAck(o.bytes);
  if (ack.error) return failed(ack.error);
  if (ack.digest) {
    return ack.digest.equals(cookieDigest(cookie, ours))
      ? { end: 'accepted' }
      : failed('bad-ack-digest');
  }
  // The node closed the connection on our reply: it refused the digest.
  if (o.end === 'eof' || o.end === 'reset') return { end: 'rejected' };
  return failed(failure(o));
}
