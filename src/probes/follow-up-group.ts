// What one EPMD's follow-up connections share: the thread's probe context and
// rate, and the group that holds their connections and their one deadline
// (--follow-up-timeout). When the group stops (the budget ran out, or the scan
// was interrupted) every open connection closes and no new one starts.

import {
  type Challenge,
  encodeSendName,
  parseHandshakeReply,
  scannerNodeName,
} from '../epmd/handshake.js';
import { nodeCrypto } from '../epmd/lazy-crypto.js';
import { outOfDescriptors } from '../net/budget.js';
import type { DeadlineList, Expirable } from '../net/deadlines.js';
import { Probe, type ProbeContext, type ProbeExtras, type ProbeOutcome } from '../net/probe.js';
import type { TokenBucket } from '../net/token-bucket.js';
import { classify } from './names/classify.js';
import type { HandshakeOutcome } from './outcomes.js';

/** Where the scan keeps what to abort for one target (Ctrl-C). */
export interface AbortHolder {
  current: { abort(): void } | null;
  aborted: boolean;
}

/** What every EPMD's follow-ups share on one thread. */
export interface FollowUpEnv {
  ctx: ProbeContext;
  bucket: TokenBucket | null;
  /** Entries last --follow-up-timeout. */
  deadlines: DeadlineList;
}

/** One EPMD's follow-ups: their open connections and their shared deadline. */
export class FollowUpGroup implements Expirable {
  deadline = 0;
  readonly probes = new Set<Probe>();
  stopped = false;
  /** The budget ran out (as opposed to an abort of the whole scan). */
  cut = false;
  private onStop: () => void = () => undefined;
  /** Resolves when the group stops, so that no wait for a --rate token outlives it. */
  readonly whenStopped = new Promise<void>((resolve) => {
    this.onStop = resolve;
  });

  expire(): void {
    this.cut = true;
    this.abort();
  }

  abort(): void {
    this.stopped = true;
    this.onStop();
    for (const p of this.probes) p.abort();
  }
}

const ABORTED: ProbeOutcome = {
  connected: false,
  bytes: Buffer.alloc(0),
  end: 'aborted',
  errno: null,
};

/** Waits for a --rate token and a descriptor; false when the group stopped first. */
async function room(env: FollowUpEnv, group: FollowUpGroup): Promise<boolean> {
  if (env.bucket && !(await env.bucket.acquire(group.whenStopped))) return false;
  if (group.stopped) return false;
  const budget = env.ctx.budget;
  if (!budget) return true;
  if (!(await budget.acquire(group.whenStopped))) return false;
  if (!group.stopped) return true;
  budget.release();
  return false;
}

/**
 * One connection of a follow-up, closed when the group stops. It waits for
 * the rate and for room in the descriptor budget (holding no socket while it
 * waits); running out of descriptors is this connection's error, retried by
 * nobody: the record says what the follow-up could not learn.
 */
export async function connect(
  env: FollowUpEnv,
  group: FollowUpGroup,
  host: string,
  port: number,
  request: Uint8Array,
  extras: ProbeExtras,
): Promise<ProbeOutcome> {
  if (!(await room(env, group))) return ABORTED;
  const granted = env.ctx.budget !== undefined;
  return new Promise<ProbeOutcome>((resolve) => {
    const probe: Probe = new Probe(
      host,
      port,
      request,
      env.ctx,
      (outcome) => {
        group.probes.delete(probe);
        if (outOfDescriptors(outcome.errno)) env.ctx.budget?.refused();
        resolve(outcome);
      },
      { ...extras, granted },
    );
    group.probes.add(probe);
  });
}

/**
 * Opens one target's follow-up group: the holder aborts it, its budget
 * (--follow-up-timeout) starts now. Null when the scan was stopped already.
 * Call closeGroup when the follow-ups are over.
 */
export function openGroup(env: FollowUpEnv, holder: AbortHolder): FollowUpGroup | null {
  const group = new FollowUpGroup();
  holder.current = group;
  if (holder.aborted) return null;
  env.deadlines.add(group, performance.now());
  env.ctx.sweeper.arm();
  return group;
}

/** Ends a group's budget (its connections are all closed by then). */
export function closeGroup(env: FollowUpEnv, group: FollowUpGroup): void {
  env.deadlines.delete(group);
}

/** Why a follow-up connection failed, in the words of the error field. */
export function failure(o: ProbeOutcome): string {
  return classify(o).error ?? 'error';
}

/** A fresh send_name: a new name per connection, so no two ever collide on a node. */
export function sendName(): Buffer {
  return encodeSendName(scannerNodeName(), nodeCrypto().randomInt(1, 2 ** 31));
}

/** How a send_name connection ended: the node's status (or why there was none) and its challenge. */
export function handshakeOutcome(o: ProbeOutcome): {
  outcome: HandshakeOutcome;
  challenge: Challenge | null;
} {
  const r = parseHandshakeReply(o.bytes);
  const failed = (error: string): HandshakeOutcome => ({ outcome: 'failed', error });
  let outcome: HandshakeOutcome;
  if (!o.connected) outcome = failed(failure(o));
  else if (r.error === 'tls') outcome = { outcome: 'tls' };
  else if (r.error) outcome = failed(r.error);
  else if (r.status === null) outcome = failed(failure(o) === 'error' ? 'no-reply' : failure(o));
  else outcome = { outcome: 'status', status: r.status };
  return { outcome, challenge: r.challenge };
}
