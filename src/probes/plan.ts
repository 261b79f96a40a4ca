// How each target is probed, every default applied (src/scan/plan.ts
// resolves it once from scan()'s options or the command line): plain data,
// so a worker thread is given it whole and rebuilds the probe kind by name.

import type { SourceAddresses } from '../net/source.js';
import type { Severity } from '../record.js';

/** The follow-ups asked for each node an exposure shows (--node-info, ...). */
export interface NodeChecks {
  /** PORT_PLEASE2 for each listed node (type, protocol, versions). */
  nodeInfo: boolean;
  /** TCP connect to each node's distribution port. */
  checkDist: boolean;
  /** Distribution send_name: status, full name, flags; closes before authenticating. */
  handshake: boolean;
  /** Completes the handshake with candidate cookies (implies handshake). */
  checkCookies: boolean;
  /** Candidate cookies (latin1 strings of the raw bytes); null: the built-in ones. */
  cookies: readonly string[] | null;
  /** Cookies tried per node at most. */
  cookieAttempts: number;
}

/** The follow-ups a probe kind may take, by their NodeChecks switch. */
export const NODE_CHECKS = ['nodeInfo', 'checkDist', 'handshake', 'checkCookies'] as const;
export type NodeCheck = (typeof NODE_CHECKS)[number];

/** The per-probe part of a scan's plan. */
export interface ProbePlan {
  /** The probe kind's name, as registered (src/probes/registry.ts). */
  kind: string;
  /**
   * The module that registers the kind when imported, for worker threads;
   * null for the built-in kinds, which every thread has.
   */
  module: string | null;
  /** ms to establish the TCP connection. */
  connectTimeout: number;
  /** ms for the whole probe of one target, connect included. */
  timeout: number;
  /** Extra tries after a connect timeout. */
  retries: number;
  /** Bytes read at most from one reply. */
  maxReply: number;
  /** The severity of every exposure, before follow-ups raise it. */
  severity: Severity;
  /** ms for all the follow-ups of one exposure together. */
  followUpTimeout: number;
  checks: NodeChecks;
  /** New connections per second at most on this thread; null: unlimited. */
  rate: number | null;
  /** Every connection made with net.connect (slower) instead of bare handles. */
  portableSockets: boolean;
  /** -S: the local address each connection binds, per family; null: the system's choice. */
  sourceIps: SourceAddresses | null;
}

/** Whether any node follow-up is asked for. */
export function anyNodeCheck(c: NodeChecks): boolean {
  return c.nodeInfo || c.checkDist || c.handshake || c.checkCookies;
}
