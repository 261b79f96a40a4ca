// The EPMD NAMES request and reply (erl_dist_protocol.md, "NAMES_REQ";
// erts/epmd/src/epmd_srv.c). Pure: bytes in, values out, no sockets.
//
// Deciding "this is EPMD" (the rule every record's status rests on):
//  1. The reply starts with a 4-byte big-endian header that is epmd's own TCP
//     port: `00 00` followed by 1..65535. Anything else (an HTTP server's
//     `HTTP`, random bytes, `00 00 00 00`) is not EPMD.
//  2. After the header comes nothing at all (epmd with no registered node), or
//     at least one line `name <Name> at port <Port>`. Lines that are not node
//     lines are skipped, as OTP's own client does, but a body made only of
//     such lines is not EPMD.
//  3. A reply cut short (deadline, byte cap, reset) is judged on what arrived:
//     a valid header and no complete line that contradicts rule 2 is EPMD,
//     with the nodes of the complete lines only. Fewer than 4 bytes, all of
//     them consistent with a header so far, is "incomplete": no verdict.

import { escapeWireBytes } from '../text/escape.js';

/** The exact bytes of a NAMES request: length 1 (2 bytes, big-endian), then 110 ('n'). */
export function encodeNamesRequest(): Buffer {
  return Buffer.from([0x00, 0x01, 0x6e]);
}

/** Node names are atoms: at most 255 characters, at most 4 bytes each (epmd_int.h MAXSYMLEN). */
export const MAX_NAME_CHARS = 255;
export const MAX_NAME_BYTES = 255 * 4;

/** One registered node as listed by NAMES. */
export interface NamesNode {
  /** The name as safe text (see text/escape.ts): controls, invalid UTF-8 and `\` as `\xNN`. */
  name: string;
  /** The node's distribution port. */
  port: number;
  /** The name exactly as received, for follow-up requests (PORT_PLEASE2). */
  nameBytes: Uint8Array;
}

export type NotEpmdReason =
  /** Fewer than 4 bytes so far, consistent with a header: no verdict yet. */
  | 'incomplete'
  /** The connection closed without a byte. */
  | 'empty-reply'
  /** The connection closed after 1 to 3 bytes. */
  | 'short-reply'
  /** The first 4 bytes are not `00 00` + a port 1..65535. */
  | 'bad-header'
  /** A valid-looking header followed by lines none of which is a node line. */
  | 'no-node-lines';

export type NamesReply =
  | {
      ok: true;
      /** The port epmd says it listens on (its ERL_EPMD_PORT), from the header. */
      epmdPort: number;
      nodes: NamesNode[];
      /** Lines that were not node lines (malformed, bad port, too long a name). */
      skippedLines: number;
      /**
       * Of those, node lines whose name epmd would never register (empty, or
       * longer than 255 characters): the reply is still EPMD's, and the
       * record's error says names were skipped.
       */
      skippedNames: number;
    }
  | { ok: false; reason: NotEpmdReason };

export interface ParseOptions {
  /**
   * True (the default) when the reply ended at EOF, so a last line without a
   * newline counts; false when it was cut short, so a partial line is ignored.
   */
  complete?: boolean;
}

const NAME_PREFIX = Buffer.from('name ', 'latin1');
const PORT_INFIX = Buffer.from(' at port ', 'latin1');

/**
 * Parses the line `body[start, end)`, `name <Name> at port <Port>` (CR
 * before the newline already removed), by offsets: no view per line.
 * 'bad-name': the line has that shape but a name epmd would not register.
 * Any other byte (NUL included) is kept, escaped.
 */
function parseNodeLine(body: Buffer, start: number, end: number): NamesNode | 'bad-name' | null {
  if (end - start < NAME_PREFIX.length + 1 + PORT_INFIX.length + 1) return null;
  for (let i = 0; i < NAME_PREFIX.length; i++) {
    if (body[start + i] !== NAME_PREFIX[i]) return null;
  }
  // The last " at port " splits name and port: a name may itself contain it.
  const at = body.lastIndexOf(PORT_INFIX, end - PORT_INFIX.length);
  const nameStart = start + NAME_PREFIX.length;
  if (at < nameStart + 1) return null;
  const digits = at + PORT_INFIX.length;
  if (end - digits < 1 || end - digits > 5) return null;
  let port = 0;
  for (let i = digits; i < end; i++) {
    const d = body[i] as number;
    if (d < 0x30 || d > 0x39) return null;
    port = port * 10 + (d - 0x30);
  }
  if (port < 1 || port > 65535) return null;
  if (at - nameStart > MAX_NAME_BYTES) return 'bad-name';
  // A copy: the node must not keep the whole reply alive.
  const nameBytes = Uint8Array.prototype.slice.call(body, nameStart, at);
  const { text, chars } = escapeWireBytes(nameBytes);
  if (chars < 1 || chars > MAX_NAME_CHARS) return 'bad-name';
  return { name: text, port, nameBytes };
}

/** Calls `each(start, end)` per line of the body (CR before LF removed); a trailing partial line only when `complete`. */
function eachLine(
  body: Buffer,
  complete: boolean,
  each: (start: number, end: number) => void,
): void {
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf(0x0a, start);
    if (nl === -1 && !complete) return;
    const stop = nl === -1 ? body.length : nl;
    each(start, stop > start && body[stop - 1] === 0x0d ? stop - 1 : stop);
    if (nl === -1) return;
    start = nl + 1;
  }
}

/** Reads the 4-byte header: epmd's port, or null when it cannot be an EPMD header. */
export function readNamesHeader(bytes: Uint8Array): number | null {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) return null;
  const port = ((bytes[2] as number) << 8) | (bytes[3] as number);
  return port >= 1 ? port : null;
}

/** Decodes a NAMES reply, or says why it is not one. Never throws. */
export function parseNamesReply(bytes: Uint8Array, options: ParseOptions = {}): NamesReply {
  const complete = options.complete ?? true;
  if (bytes.length < 4) {
    // A prefix of a valid header is still possible while bytes may follow.
    const consistent = (bytes.length < 1 || bytes[0] === 0) && (bytes.length < 2 || bytes[1] === 0);
    if (!consistent) return { ok: false, reason: 'bad-header' };
    if (!complete) return { ok: false, reason: 'incomplete' };
    return { ok: false, reason: bytes.length === 0 ? 'empty-reply' : 'short-reply' };
  }
  const epmdPort = readNamesHeader(bytes);
  if (epmdPort === null) return { ok: false, reason: 'bad-header' };
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + 4, bytes.length - 4);
  const nodes: NamesNode[] = [];
  let skippedLines = 0;
  let skippedNames = 0;
  eachLine(body, complete, (start, end) => {
    const node = parseNodeLine(body, start, end);
    if (node === 'bad-name') skippedNames++;
    if (node !== null && node !== 'bad-name') nodes.push(node);
    else skippedLines++;
  });
  if (nodes.length === 0 && skippedLines > 0 && skippedNames === 0) {
    return { ok: false, reason: 'no-node-lines' };
  }
  return { ok: true, epmdPort, nodes, skippedLines, skippedNames };
}
