// Beyond NAMES, for each node an exposed epmd lists: PORT_PLEASE2 to the same
// epmd (--node-info), a TCP connect to the node's distribution port
// (--check-dist), the start of the distribution handshake (--handshake), and
// a whole handshake with candidate cookies (--check-cookies).
//
// One EPMD's follow-ups run inside its own slot of the scan, PARALLEL_NODES
// nodes at a time, and share the scan's rate and per-connection deadlines.
// Together they have one budget (--follow-up-timeout): when it runs out every
// connection still open is closed and the record names the follow-ups that did
// not finish for every node.

import { randomInt } from 'node:crypto';
import { cookieCandidates } from '../epmd/cookies.js';
import {
  cookieDigest,
  encodeChallengeReply,
  encodeSendName,
  parseChallengeAck,
  parseHandshakeReply,
  scannerNodeName,
} from '../epmd/handshake.js';
import type { NamesNode } from '../epmd/names.js';
import { encodePortPlease2, parsePort2Resp, port2Complete } from '../epmd/port-please.js';
import type { NodeEntry } from '../record.js';
import { classify } from './classify.js';
import type { DeadlineList, Expirable } from './deadlines.js';
import { Probe, type ProbeContext, type ProbeExtras, type ProbeOutcome } from './probe.js';
import type { TokenBucket } from './token-bucket.js';

export interface NodeCheckOptions {
  nodeInfo?: boolean;
  checkDist?: boolean;
  handshake?: boolean;
  /** Complete the handshake with candidate cookies (implies handshake). */
  checkCookies?: boolean;
  /** Candidate cookies from a file, each a latin1 string of its raw bytes; the built-ins when absent. */
  cookies?: string[];
  /** Cookies tried per node at most. */
  cookieAttempts?: number;
}

/** Follow-ups are made for this many nodes of one epmd at most: a hostile list can be long. */
export const MAX_CHECKED_NODES = 32;
/** Nodes of one epmd checked at once. */
export const PARALLEL_NODES = 4;
export const DEFAULT_COOKIE_ATTEMPTS = 3;
/** ms for all of one EPMD's follow-ups together. */
export const DEFAULT_FOLLOW_UP_TIMEOUT = 10_000;

/** The follow-ups by the names records use for them. */
export type FollowUp = 'node-info' | 'check-dist' | 'handshake' | 'check-cookies';

export function anyNodeCheck(o: NodeCheckOptions): boolean {
  return Boolean(o.nodeInfo || o.checkDist || o.handshake || o.checkCookies);
}

function wanted(o: NodeCheckOptions): FollowUp[] {
  const kinds: FollowUp[] = [];
  if (o.nodeInfo) kinds.push('node-info');
  if (o.checkDist) kinds.push('check-dist');
  if (o.handshake || o.checkCookies) kinds.push('handshake');
  if (o.checkCookies) kinds.push('check-cookies');
  return kinds;
}

/** What every EPMD's follow-ups share on one thread. */
export interface FollowUpEnv {
  ctx: ProbeContext;
  bucket: TokenBucket | null;
  /** Entries last --follow-up-timeout. */
  deadlines: DeadlineList;
}

/** Where the scan keeps what to abort for one target (Ctrl-C). */
export interface AbortHolder {
  current: { abort(): void } | null;
  aborted: boolean;
}

/** One EPMD's follow-ups: their open connections and their shared deadline. */
class FollowUpGroup implements Expirable {
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

/** One connection of a follow-up, closed when the group stops. */
function connect(
  env: FollowUpEnv,
  group: FollowUpGroup,
  host: string,
  port: number,
  request: Uint8Array,
  extras: ProbeExtras,
): Promise<ProbeOutcome> {
  return (env.bucket ? env.bucket.acquire(group.whenStopped) : Promise.resolve(true)).then(
    () =>
      new Promise<ProbeOutcome>((resolve) => {
        if (group.stopped) {
          resolve(ABORTED);
          return;
        }
        const probe: Probe = new Probe(
          host,
          port,
          request,
          env.ctx,
          (outcome) => {
            group.probes.delete(probe);
            resolve(outcome);
          },
          extras,
        );
        group.probes.add(probe);
      }),
  );
}

/** Why a follow-up connection failed, in the words of the error field. */
function failure(o: ProbeOutcome): string {
  return classify(o).error ?? 'error';
}

/** A fresh send_name: a new name per connection, so no two ever collide on a node. */
function sendName(): Buffer {
  return encodeSendName(scannerNodeName(), randomInt(1, 2 ** 31));
}

/**
 * Runs the asked-for follow-ups within the budget; fills each node entry in
 * place and returns the follow-ups the budget cut short.
 */
export async function checkNodes(
  ip: string,
  epmdPort: number,
  names: NamesNode[],
  entries: NodeEntry[],
  options: NodeCheckOptions,
  env: FollowUpEnv,
  holder: AbortHolder,
): Promise<FollowUp[]> {
  const count = Math.min(names.length, MAX_CHECKED_NODES);
  const group = new FollowUpGroup();
  holder.current = group;
  if (holder.aborted || count === 0) return [];
  env.deadlines.add(group, performance.now());
  env.ctx.sweeper.arm();
  const kinds = wanted(options);
  const finished = new Map<FollowUp, number>();
  const mark = (k: FollowUp) => finished.set(k, (finished.get(k) ?? 0) + 1);
  let next = 0;
  const lane = async () => {
    while (!group.stopped && next < count) {
      const i = next++;
      await checkNode(ip, epmdPort, names[i] as NamesNode, entries[i] as NodeEntry, options, {
        env,
        group,
        mark,
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL_NODES, count) }, lane));
  } finally {
    env.deadlines.delete(group);
  }
  return group.cut ? kinds.filter((k) => (finished.get(k) ?? 0) < count) : [];
}

interface NodeRun {
  env: FollowUpEnv;
  group: FollowUpGroup;
  /** Counts one node's follow-up as finished. */
  mark: (k: FollowUp) => void;
}

/** Every asked-for follow-up of one node, in order; stops where the group stops. */
async function checkNode(
  ip: string,
  epmdPort: number,
  node: NamesNode,
  entry: NodeEntry,
  options: NodeCheckOptions,
  { env, group, mark }: NodeRun,
): Promise<void> {
  if (options.nodeInfo) {
    const o = await connect(env, group, ip, epmdPort, encodePortPlease2(node.nameBytes), {
      until: port2Complete,
    });
    if (o.end === 'aborted') return;
    const r = parsePort2Resp(o.bytes, true);
    if (r.ok) {
      entry.type = r.type;
      entry.protocol = r.protocol;
      entry.highestVersion = r.highestVersion;
      entry.lowestVersion = r.lowestVersion;
    } else {
      entry.nodeInfoError = o.connected && o.bytes.length > 0 ? r.reason : failure(o);
    }
    mark('node-info');
  }
  if (options.checkDist) {
    const o = await connect(env, group, ip, node.port, Buffer.alloc(0), { connectOnly: true });
    if (o.end === 'aborted') return;
    entry.distReachable = o.connected;
    mark('check-dist');
  }
  if (options.handshake || options.checkCookies) {
    const o = await connect(env, group, ip, node.port, sendName(), {
      until: (b) => parseHandshakeReply(b).done,
    });
    if (o.end === 'aborted') return;
    const r = parseHandshakeReply(o.bytes);
    if (!o.connected) entry.distStatus = failure(o);
    else if (r.error) entry.distStatus = r.error;
    else if (r.status === null) entry.distStatus = failure(o) === 'error' ? 'no-reply' : failure(o);
    else entry.distStatus = r.status;
    if (r.challenge) {
      entry.fullName = r.challenge.fullName;
      entry.flags = r.challenge.flags;
    }
    // A handshake attempt answers the reachability question too.
    if (!options.checkDist) entry.distReachable = o.connected;
    mark('handshake');
  }
  if (options.checkCookies) {
    if (await checkCookies(ip, node, entry, options, env, group)) mark('check-cookies');
  }
}

/** How one attempt ended: the cookie was accepted or rejected, or why neither is known. */
type Attempt = 'accepted' | 'rejected' | 'aborted' | (string & {});

/** Tries candidate cookies on a node whose handshake said ok; false when stopped midway. */
async function checkCookies(
  ip: string,
  node: NamesNode,
  entry: NodeEntry,
  options: NodeCheckOptions,
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
