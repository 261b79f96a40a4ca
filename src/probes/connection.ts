// How a connection ended, in the envelope's words, for every probe kind:
// the error code (zgrab2-style) and, for one that never connected, its
// connection status. What a reply means is each kind's own classify().

import type { ProbeOutcome } from '../net/probe.js';
import type { CONNECTION_STATUSES, ErrorCode } from '../record.js';

/** A status any kind can end with before its protocol is reached. */
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

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

/** The error code of how a connection ended; null at a clean EOF. */
export function endError(outcome: ProbeOutcome): ErrorCode | null {
  if (outcome.end === 'unreachable' && outcome.errno === 'ENETUNREACH')
    return 'network-unreachable';
  if (outcome.end === 'error' && outcome.errno) return outcome.errno.toLowerCase();
  return END_ERROR[outcome.end];
}

const UNCONNECTED: Partial<Record<ProbeOutcome['end'], ConnectionStatus>> = {
  refused: 'refused',
  unreachable: 'unreachable',
  'connect-timeout': 'timeout',
};

/** The status of a connection that was never established. */
export function unconnectedStatus(outcome: ProbeOutcome): ConnectionStatus {
  return UNCONNECTED[outcome.end] ?? 'error';
}
