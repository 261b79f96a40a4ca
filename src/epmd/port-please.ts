// PORT_PLEASE2_REQ and PORT2_RESP (erl_dist_protocol.md, "PORT_PLEASE2_REQ").
// A safe request that epmd answers for remote peers; it closes after replying.

/** Request: Length:16, 122 ('z'), NodeName (the name as NAMES listed it, without @host). */
export function encodePortPlease2(name: Uint8Array): Buffer {
  const out = Buffer.alloc(3 + name.length);
  out.writeUInt16BE(1 + name.length, 0); // length of what follows
  out[2] = 0x7a; // PORT_PLEASE2_REQ
  out.set(name, 3);
  return out;
}

export interface NodeInfo {
  /** 77 'M': normal Erlang node; 72 'H': hidden (C-node). */
  type: 'normal' | 'hidden' | `unknown-${number}`;
  /** 0 = TCP/IPv4. */
  protocol: number;
  highestVersion: number;
  lowestVersion: number;
  /** The distribution port epmd has for the node. */
  port: number;
}

export type Port2Reply =
  | ({ ok: true } & NodeInfo)
  | { ok: false; reason: 'not-port2-resp' | 'unknown-node' | 'incomplete' | 'bad-lengths' };

/**
 * Decodes PORT2_RESP: 119 ('w'), Result:8; on result 0: PortNo:16, NodeType:8,
 * Protocol:8, HighestVersion:16, LowestVersion:16, Nlen:16, NodeName, Elen:16,
 * Extra. Never throws.
 */
export function parsePort2Resp(b: Uint8Array, complete = true): Port2Reply {
  if (b.length === 0) return { ok: false, reason: complete ? 'not-port2-resp' : 'incomplete' };
  if (b[0] !== 0x77) return { ok: false, reason: 'not-port2-resp' };
  if (b.length < 2) return { ok: false, reason: complete ? 'not-port2-resp' : 'incomplete' };
  if (b[1] !== 0) return { ok: false, reason: 'unknown-node' };
  const view = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (b.length < 12) return { ok: false, reason: complete ? 'bad-lengths' : 'incomplete' };
  const nlen = view.readUInt16BE(10);
  if (b.length < 14 + nlen) return { ok: false, reason: complete ? 'bad-lengths' : 'incomplete' };
  const elen = view.readUInt16BE(12 + nlen);
  if (b.length < 14 + nlen + elen)
    return { ok: false, reason: complete ? 'bad-lengths' : 'incomplete' };
  const typeByte = b[4] as number;
  return {
    ok: true,
    port: view.readUInt16BE(2),
    type: typeByte === 77 ? 'normal' : typeByte === 72 ? 'hidden' : `unknown-${typeByte}`,
    protocol: b[5] as number,
    highestVersion: view.readUInt16BE(6),
    lowestVersion: view.readUInt16BE(8),
  };
}

/** True once the bytes hold a whole PORT2_RESP (or prove it is not one). */
export function port2Complete(b: Uint8Array): boolean {
  const r = parsePort2Resp(b, false);
  return r.ok || r.reason !== 'incomplete';
}
