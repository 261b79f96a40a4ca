// Beyond NAMES, for each node an exposed epmd lists: PORT_PLEASE2 to the same
// epmd (--node-info), a TCP connect to the node's distribution port
// (--check-dist), and the start of the distribution handshake (--handshake).
// They run one connection at a time inside the exposure's own slot, so they
// share the scan's concurrency, deadlines and rate.

import { randomInt } from 'node:crypto';
import { encodeSendName, parseHandshakeReply } from '../epmd/handshake.js';
import type { NamesNode } from '../epmd/names.js';
import { encodePortPlease2, parsePort2Resp, port2Complete } from '../epmd/port-please.js';
import type { NodeEntry } from '../record.js';
import { classify } from './classify.js';
import { Probe, type ProbeContext, type ProbeExtras, type ProbeOutcome } from './probe.js';
import type { TokenBucket } from './token-bucket.js';

export interface NodeCheckOptions {
  nodeInfo?: boolean;
  checkDist?: boolean;
  handshake?: boolean;
}

/** Follow-ups are made for this many nodes of one epmd at most: a hostile list can be long. */
export const MAX_CHECKED_NODES = 32;

/** The node name we announce in send_name: valid, and plainly a scanner. */
export const SCANNER_NODE_NAME = 'epmd-scan@scanner';

export function anyNodeCheck(o: NodeCheckOptions): boolean {
  return Boolean(o.nodeInfo || o.checkDist || o.handshake);
}

/** One connection of a follow-up, cancellable through `current`. */
function connect(
  ctx: ProbeContext,
  bucket: TokenBucket | null,
  host: string,
  port: number,
  request: Uint8Array,
  extras: ProbeExtras,
  holder: { current: Probe | null; aborted: boolean },
): Promise<ProbeOutcome> {
  return (bucket ? bucket.acquire() : Promise.resolve()).then(
    () =>
      new Promise<ProbeOutcome>((resolve) => {
        if (holder.aborted) {
          resolve({ connected: false, bytes: Buffer.alloc(0), end: 'aborted', errno: null });
          return;
        }
        holder.current = new Probe(host, port, request, ctx, resolve, extras);
      }),
  );
}

/** Why a follow-up connection failed, in the words of the error field. */
function failure(o: ProbeOutcome): string {
  return classify(o).error ?? 'error';
}

/** Runs the asked-for follow-ups; fills each node entry in place. */
export async function checkNodes(
  ip: string,
  epmdPort: number,
  names: NamesNode[],
  entries: NodeEntry[],
  options: NodeCheckOptions,
  ctx: ProbeContext,
  bucket: TokenBucket | null,
  holder: { current: Probe | null; aborted: boolean },
): Promise<void> {
  const count = Math.min(names.length, MAX_CHECKED_NODES);
  for (let i = 0; i < count && !holder.aborted; i++) {
    const node = names[i] as NamesNode;
    const entry = entries[i] as NodeEntry;
    if (options.nodeInfo) {
      const o = await connect(
        ctx,
        bucket,
        ip,
        epmdPort,
        encodePortPlease2(node.nameBytes),
        { until: port2Complete },
        holder,
      );
      const r = parsePort2Resp(o.bytes, true);
      if (r.ok) {
        entry.type = r.type;
        entry.protocol = r.protocol;
        entry.highestVersion = r.highestVersion;
        entry.lowestVersion = r.lowestVersion;
      } else {
        entry.nodeInfoError = o.connected && o.bytes.length > 0 ? r.reason : failure(o);
      }
    }
    if (options.checkDist) {
      const o = await connect(
        ctx,
        bucket,
        ip,
        node.port,
        Buffer.alloc(0),
        { connectOnly: true },
        holder,
      );
      entry.distReachable = o.connected;
    }
    if (options.handshake) {
      const request = encodeSendName(SCANNER_NODE_NAME, randomInt(1, 2 ** 31));
      const o = await connect(
        ctx,
        bucket,
        ip,
        node.port,
        request,
        { until: (b) => parseHandshakeReply(b).done },
        holder,
      );
      const r = parseHandshakeReply(o.bytes);
      if (!o.connected) entry.distStatus = failure(o);
      else if (r.error) entry.distStatus = r.error;
      else if (r.status === null)
        entry.distStatus = failure(o) === 'error' ? 'no-reply' : failure(o);
      else entry.distStatus = r.status;
      if (r.challenge) {
        entry.fullName = r.challenge.fullName;
        entry.flags = r.challenge.flags;
      }
      // A handshake attempt answers the reachability question too.
      if (!options.checkDist) entry.distReachable = o.connected;
    }
  }
}
