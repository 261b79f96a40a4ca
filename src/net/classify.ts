// From how a probe ended and what it read to a record's status, nodes and
// error. Pure, so that every hostile-peer case can be tested without sockets.

import { type NamesNode, parseNamesReply } from '../epmd/names.js';
import type { ErrorCode, Status } from '../record.js';
import type { ProbeOutcome } from './probe.js';

export interface Verdict {
  status: Status;
  error: ErrorCode | null;
  epmdPort: number | null;
  nodes: NamesNode[];
  truncated: boolean;
}

const END_ERROR: Record<ProbeOutcome['end'], ErrorCode | null> = {
  eof: null,
  'connect-timeout': 'connection-timeout',
  'io-timeout': 'io-timeout',
  truncated: 'reply-truncated',
  refused: 'connection-refused',
  reset: 'connection-reset',
  unreachable: 'host-unreachable',
  error: 'error',
  aborted: 'aborted',
};

function endError(outcome: ProbeOutcome): ErrorCode | null {
  if (outcome.end === 'unreachable' && outcome.errno === 'ENETUNREACH')
    return 'network-unreachable';
  if (outcome.end === 'error' && outcome.errno) return outcome.errno.toLowerCase();
  return END_ERROR[outcome.end];
}

/** Decides a record's status from a probe outcome (see the rule in epmd/names.ts). */
export function classify(outcome: ProbeOutcome): Verdict {
  const error = endError(outcome);
  const base = { epmdPort: null, nodes: [], truncated: false };
  if (!outcome.connected) {
    switch (outcome.end) {
      case 'refused':
        return { ...base, status: 'refused', error };
      case 'unreachable':
        return { ...base, status: 'unreachable', error };
      case 'connect-timeout':
        return { ...base, status: 'timeout', error };
      default:
        return { ...base, status: 'error', error };
    }
  }
  const complete = outcome.end === 'eof';
  const reply = parseNamesReply(outcome.bytes, { complete });
  if (reply.ok) {
    return {
      status: 'epmd',
      error,
      epmdPort: reply.epmdPort,
      nodes: reply.nodes,
      truncated: outcome.end === 'truncated',
    };
  }
  if (reply.reason === 'incomplete') {
    // Connected, but too little arrived to tell: the peer stalled or dropped us.
    return { ...base, status: outcome.end === 'io-timeout' ? 'timeout' : 'error', error };
  }
  // The reply itself shows this is not EPMD; how the connection ended is secondary.
  return { ...base, status: 'not-epmd', error: reply.reason };
}
