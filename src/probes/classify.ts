// From how a probe ended and what it read to a record's status, nodes and
// error. Pure, so that every hostile-peer case can be tested without sockets.

import { type NamesNode, parseNamesReply } from '../epmd/names.js';
import type { ProbeOutcome } from '../net/probe.js';
import type { ErrorCode, Status } from '../record.js';

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

/** Why a probe did not end cleanly, in the words of the record's error field. */
export function endError(outcome: ProbeOutcome): ErrorCode | null {
  if (outcome.end === 'unreachable' && outcome.errno === 'ENETUNREACH')
    return 'network-unreachable';
  if (outcome.end === 'error' && outcome.errno) return outcome.errno.toLowerCase();
  return END_ERROR[outcome.end];
}

/** A verdict with no reply: the common case of a sweep, built without spreads. */
function failed(status: Status, error: ErrorCode | null): Verdict {
  return { status, error, epmdPort: null, nodes: [], truncated: false };
}

const UNCONNECTED: Partial<Record<ProbeOutcome['end'], Status>> = {
  refused: 'refused',
  unreachable: 'unreachable',
  'connect-timeout': 'timeout',
};

/** The status of a probe that never connected (the same for every kind). */
export function unconnectedStatus(outcome: ProbeOutcome): Status {
  return UNCONNECTED[outcome.end] ?? 'error';
}

/** Decides a record's status from a probe outcome (see the rule in epmd/names.ts). */
export function classify(outcome: ProbeOutcome): Verdict {
  const error = endError(outcome);
  if (!outcome.connected) return failed(unconnectedStatus(outcome), error);
  const complete = outcome.end === 'eof';
  const reply = parseNamesReply(outcome.bytes, { complete });
  if (reply.ok) {
    return {
      status: 'epmd',
      // Never a silent loss: node lines whose names were skipped are said.
      error: error ?? (reply.skippedNames > 0 ? 'node-names-skipped' : null),
      epmdPort: reply.epmdPort,
      nodes: reply.nodes,
      truncated: outcome.end === 'truncated',
    };
  }
  if (reply.reason === 'incomplete') {
    // Connected, but too little arrived to tell: the peer stalled or dropped us.
    return failed(outcome.end === 'io-timeout' ? 'timeout' : 'error', error);
  }
  // The reply itself shows this is not EPMD; how the connection ended is secondary.
  return failed('not-epmd', reply.reason);
}
