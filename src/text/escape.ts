// Turning attacker-controlled bytes into text that is safe for a terminal, a
// spreadsheet cell or a JSON string, without losing what was sent.
//
// The rule: valid UTF-8 is kept as text, except characters that can change
// how a terminal or an editor shows the line (C0/C1 controls, DEL, bidi and
// zero-width format characters); those, every byte of invalid UTF-8, and the
// backslash itself are written as `\xNN`, one per byte. Because `\` is always
// escaped, the output can be decoded back to the exact bytes.

const HEX = '0123456789abcdef';

function hexByte(b: number): string {
  return `\\x${HEX[b >> 4]}${HEX[b & 15]}`;
}

/** Code points that are valid UTF-8 but unsafe to show as they are. */
export function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp < 0x20 ||
    cp === 0x5c || // backslash: escaped so that the escaping is reversible
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x061c ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff
  );
}

/** Length in bytes of the valid UTF-8 sequence at `i`, and its code point; 0 when invalid. */
function decodeAt(b: Uint8Array, i: number): [len: number, cp: number] {
  const b0 = b[i] as number;
  if (b0 < 0x80) return [1, b0];
  let len: number;
  let cp: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
    cp = b0 & 0x1f;
    min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    cp = b0 & 0x0f;
    min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return [0, 0];
  }
  if (i + len > b.length) return [0, 0];
  for (let k = 1; k < len; k++) {
    const c = b[i + k] as number;
    if ((c & 0xc0) !== 0x80) return [0, 0];
    cp = (cp << 6) | (c & 0x3f);
  }
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid.
  if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return [0, 0];
  return [len, cp];
}

export interface EscapedText {
  /** The safe text. */
  text: string;
  /** How many characters the bytes hold, counting each invalid byte as one. */
  chars: number;
}

/**
 * Escapes bytes taken off the wire. `extra` lists further ASCII characters to
 * write as `\xNN` (e.g. a list separator that must not appear inside an item).
 */
export function escapeWireBytes(bytes: Uint8Array, extra = ''): EscapedText {
  // Fast path, the common case (a node name): printable ASCII with nothing to escape.
  if (extra === '' && plainAscii(bytes)) {
    return {
      text: String.fromCharCode.apply(null, bytes as unknown as number[]),
      chars: bytes.length,
    };
  }
  let out = '';
  let chars = 0;
  let i = 0;
  while (i < bytes.length) {
    const [len, cp] = decodeAt(bytes, i);
    chars++;
    if (len === 0) {
      out += hexByte(bytes[i] as number);
      i++;
      continue;
    }
    if (isUnsafeCodePoint(cp) || (cp < 0x80 && extra.includes(String.fromCharCode(cp)))) {
      for (let k = 0; k < len; k++) out += hexByte(bytes[i + k] as number);
    } else {
      out += String.fromCodePoint(cp);
    }
    i += len;
  }
  return { text: out, chars };
}

/** True when every byte is printable ASCII other than `\` (nothing to escape), and there are few. */
function plainAscii(bytes: Uint8Array): boolean {
  if (bytes.length > 4096) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 || b >= 0x7f || b === 0x5c) return false;
  }
  return true;
}

/** Escapes a JS string (already text, e.g. from DNS) with the same rule. */
export function escapeText(s: string, extra = ''): string {
  // Fast path: printable ASCII with nothing to escape.
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x5c || (extra !== '' && extra.includes(s[i] as string))) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  return escapeWireBytes(Buffer.from(s, 'utf8'), extra).text;
}

/** Re-escapes ASCII characters of already safe text, e.g. a list separator chosen at output time. */
export function escapeAscii(text: string, chars: string): string {
  if (chars === '') return text;
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out += c < 0x80 && chars.includes(ch) ? hexByte(c) : ch;
  }
  return out;
}

/** How many characters of a user's value an error message shows at most. */
export const SHOWN_CHARS = 80;

/**
 * A value from outside (an argument, a line of a file) as an error message
 * shows it: escaped with the rule above and cut to `max` characters, so that
 * neither a control byte nor a 100 MB line reaches the terminal.
 */
export function shown(value: string, max = SHOWN_CHARS): string {
  // Escaping at most a little more than is shown keeps a huge value cheap.
  const head = value.length > max * 2 ? value.slice(0, max * 2) : value;
  const text = escapeText(head);
  const chars = [...text];
  if (chars.length <= max && head.length === value.length) return text;
  return `${chars.slice(0, max).join('')}…`;
}

/**
 * The last pass over a diagnostic before stderr: every unsafe character
 * except the newline and the backslash (values in it are shown() already, so
 * their escapes stay as they are) written as `\xNN`.
 */
export function escapeLines(message: string): string {
  return escapeComposed(message, true);
}

/**
 * Text composed of safe text (e.g. a risk naming escaped node names): its
 * escapes are kept as they are, so a name reads the same as in the CSV, and
 * anything unsafe that slipped in is escaped; newlines too unless `lines`.
 */
export function escapeComposed(text: string, lines = false): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if ((lines && cp === 0x0a) || cp === 0x5c || !isUnsafeCodePoint(cp)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += hexByte(b);
  }
  return out;
}

/**
 * The exact inverse of the escaping: `\xNN` back to the byte, every other
 * character to its UTF-8 bytes. For text that holds raw bytes (a hostile
 * file), escaping the result again gives the canonical safe text.
 */
export function unescapeToBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (
      text.charCodeAt(i) === 0x5c &&
      text[i + 1] === 'x' &&
      /^[0-9a-f]{2}$/i.test(text.slice(i + 2, i + 4))
    ) {
      bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
      continue;
    }
    const cp = text.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
    i += ch.length;
  }
  return Buffer.from(bytes);
}

/** Safe text in canonical form: whatever escapes `text` holds or lacks, as the escaping writes it. */
export function canonicalText(text: string): string {
  return escapeWireBytes(unescapeToBytes(text)).text;
}
