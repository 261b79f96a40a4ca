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

import { parseHandshakeReply } from '../../epmd/handshake.js';
import type { NamesNode } from '../../epmd/names.js';
import { encodePortPlease2, parsePort2Resp, port2Complete } from '../../epmd/port-please.js';
import { checkCookies } from '../cookie-check.js';
import {
  type AbortHolder,
  closeGroup,
  connect,
  type FollowUpEnv,
  type FollowUpGroup,
  failure,
  handshakeOutcome,
  openGroup,
  sendName,
} from '../follow-up-group.js';
import type { NodeChecks } from '../plan.js';
import type { FollowUp, NodeEntry } from './detail.js';

/** Follow-ups are made for this many nodes of one epmd at most: a hostile list can be long. */
export const MAX_CHECKED_NODES = 32;
/** Nodes of one epmd checked at once. */
export const PARALLEL_NODES = 4;

/** The follow-ups asked for, in the order they run for each node. */
function wanted(o: NodeChecks): FollowUp[] {
  const kinds: FollowUp[] = [];
  if (o.nodeInfo) kinds.push('node-info');
  if (o.checkDist) kinds.push('check-dist');
  if (o.handshake || o.checkCookies) kinds.push('handshake');
  if (o.checkCookies) kinds.push('check-cookies');
  return kinds;
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
  options: NodeChecks,
  env: FollowUpEnv,
  holder: AbortHolder,
): Promise<FollowUp[]> {
  const count = Math.min(names.length, MAX_CHECKED_NODES);
  if (count === 0) return [];
  const group = openGroup(env, holder);
  if (group === null) return [];
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
    closeGroup(env, group);
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
  options: NodeChecks,
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
    const { outcome, challenge } = handshakeOutcome(o);
    entry.handshake = outcome;
    if (challenge) {
      entry.fullName = challenge.fullName;
      entry.flags = challenge.flags;
    }
    // A handshake attempt answers the reachability question too.
    if (!options.checkDist) entry.distReachable = o.connected;
    mark('handshake');
  }
  if (options.checkCookies) {
    const cookie = await checkCookies(ip, node, entry.handshake, options, env, group);
    if (cookie === null) return;
    entry.cookie = cookie;
    mark('check-cookies');
  }
}
