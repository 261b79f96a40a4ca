// --check-cookies with --probe dist: a distribution port whose node said ok
// is tried with the candidate cookies exactly as a NAMES node is
// (cookie-check.ts: one connection per cookie, closed on the node's
// acknowledgement with nothing sent after it), within one --follow-up-timeout
// budget. The node's short name (its full name up to the `@`) picks the
// product defaults and is itself a candidate.

import type { NodeChallenge } from '../../epmd/dist-reply.js';
import type { NamesNode } from '../../epmd/names.js';
import { checkCookies } from '../cookie-check.js';
import { type AbortHolder, closeGroup, type FollowUpEnv, openGroup } from '../follow-up-group.js';
import type { CookieOutcome, HandshakeOutcome } from '../outcomes.js';
import type { NodeChecks } from '../plan.js';

/** The node as the cookie check sees it: its short name, on the probed port. */
export function nodeOfChallenge(challenge: NodeChallenge, port: number): NamesNode {
  const bytes = Buffer.from(challenge.nameBytes);
  const short = bytes.subarray(0, bytes.indexOf(0x40));
  return { name: challenge.fullName, port, nameBytes: Uint8Array.from(short) };
}

/**
 * Tries the candidate cookies on the node behind `port`: its cookie outcome,
 * or null with `cut` when the budget ran out (or the scan was stopped) first.
 */
export async function distCookies(
  ip: string,
  port: number,
  challenge: NodeChallenge,
  handshake: HandshakeOutcome,
  checks: NodeChecks,
  env: FollowUpEnv,
  holder: AbortHolder,
): Promise<{ cookie: CookieOutcome | null; cut: boolean }> {
  const group = openGroup(env, holder);
  if (group === null) return { cookie: null, cut: false };
  try {
    const node = nodeOfChallenge(challenge, port);
    const cookie = await checkCookies(ip, node, handshake, checks, env, group);
    return { cookie, cut: cookie === null && group.cut };
  } finally {
    closeGroup(env, group);
  }
}
