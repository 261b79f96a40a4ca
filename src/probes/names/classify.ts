// From how a probe ended and what it read to a record's status, nodes and
// error. Pure, so that every hostile-peer case can be tested without sockets.

import { type NamesNode, parseNamesReply } from '../../epmd/names.js';
import type { ProbeOutcome } from '../../net/probe.js';
import type { ErrorCode } from '../../record.js';
import { type ConnectionStatus, endError, unconnectedStatus } from '../connection.js';
import type { NAMES_STATUSES } from './detail.js';

/** What a NAMES reply (or its absence) says. */
export interface Verdict {
  status: (typeof NAMES_STATUSES)[number] | ConnectionStatus;
  error: ErrorCode | null;
  epmdPort: number | null;
  nodes: NamesNode[];
  truncated: boolean;
}

/** The nodes of every verdict without a reply: one frozen list, not one per refusal. */
const NO_NODES: NamesNode[] = Object.freeze([]) as unknown as NamesNode[];

/** A verdict with no reply: the common case of a sweep, built without spreads. */
function failed(status: Verdict['status'], error: ErrorCode | null): Verdict {
  return { status, error, epmdPort: null, nodes: NO_NODES, truncated: false };
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
