// --probe dist: from how a send_name probe ended and what it read to a
// verdict (the rule is in epmd/dist-reply.ts). Pure, so that every hostile
// peer can be tested without sockets.

import {
  type HandshakeStatus,
  type NodeChallenge,
  type NotDistReason,
  readDistReply,
} from '../../epmd/dist-reply.js';
import type { ProbeOutcome } from '../../net/probe.js';
import type { ErrorCode } from '../../record.js';
import { type ConnectionStatus, endError, unconnectedStatus } from '../connection.js';
import type { DistPortStatus } from './detail.js';

export interface DistVerdict {
  /** One of the kind's own statuses (detail.ts), or how the connection failed. */
  status: DistPortStatus | ConnectionStatus;
  error: ErrorCode | null;
  /** What the node answered send_name (ok, nok, not_allowed, ...); null unless erlang-distribution. */
  handshake: HandshakeStatus | null;
  /** The node's challenge: its full name, version, flags; null when none was read. */
  challenge: NodeChallenge | null;
}

function verdict(
  status: DistVerdict['status'],
  error: ErrorCode | null,
  handshake: HandshakeStatus | null = null,
  challenge: NodeChallenge | null = null,
): DistVerdict {
  return { status, error, handshake, challenge };
}

/** Error codes of a reply that is not distribution: the reading's reason. */
const NOT_DIST: Record<NotDistReason, ErrorCode> = {
  'empty-reply': 'empty-reply',
  'short-reply': 'short-reply',
  'bad-frame': 'bad-frame',
  'unknown-status': 'unknown-status',
};

/** Decides a distribution port's status from a probe outcome. */
export function classifyDist(outcome: ProbeOutcome): DistVerdict {
  const error = endError(outcome);
  if (!outcome.connected) {
    return verdict(unconnectedStatus(outcome), error);
  }
  const complete = outcome.end === 'eof';
  const reply = readDistReply(outcome.bytes, { complete });
  switch (reply.kind) {
    case 'tls':
      return verdict('tls', null);
    case 'other':
      // The reply itself shows what it is; how the connection ended is secondary.
      return verdict('not-erlang-distribution', NOT_DIST[reply.reason]);
    case 'dist':
      // A status proves the protocol; a challenge cut short says why it is missing.
      return verdict(
        'erlang-distribution',
        reply.problem ?? (reply.more ? error : null),
        reply.status,
        reply.challenge,
      );
    default:
      // Connected, but too little arrived to tell: the peer stalled or dropped us.
      return verdict(outcome.end === 'io-timeout' ? 'timeout' : 'error', error);
  }
}
