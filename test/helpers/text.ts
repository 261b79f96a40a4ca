// What "no raw control byte" means in assertions: a C0 control other than the
// newline, DEL, a C1 control, or a bidi override/isolate reaching the output.

/** The first raw control character in `s`, as its code point, or null. */
export function rawControl(s: string): number | null {
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (
      (c < 0x20 && c !== 0x0a) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069)
    ) {
      return c;
    }
  }
  return null;
}
