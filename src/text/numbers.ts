// Numbers for people: 1,234,567 and 2.5. Not Number.prototype.toLocaleString:
// its first call maps Node's ICU locale data, 7.5 MB of resident memory for
// a scan that only prints a summary (a 1-address scan was 66 MB in all).

/** `x` as toLocaleString('en') writes it: digits grouped in threes, at most 3 decimals. */
export function grouped(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const fixed = Math.abs(x).toFixed(3);
  // 1e21 and up: toFixed gives exponent notation, printed as it is.
  const m = /^(\d+)\.(\d{3})$/.exec(fixed);
  if (!m) return String(x);
  const [, int = '', frac = ''] = m;
  const head = int.length % 3 || 3;
  let out = int.slice(0, head);
  for (let i = head; i < int.length; i += 3) out += `,${int.slice(i, i + 3)}`;
  const decimals = frac.replace(/0+$/, '');
  if (decimals !== '') out += `.${decimals}`;
  return x < 0 && out !== '0' ? `-${out}` : out;
}
