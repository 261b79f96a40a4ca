// The cookies --check-cookies tries on a node, in order. Built-in candidates
// are defaults that products ship or document, so naming one in a report
// reveals nothing; a cookie from the user's file is never named, only its
// position (`file entry #k`).

import type { NamesNode } from './names.js';

/** A cookie to try and how the report names it. */
export interface CookieCandidate {
  /** The cookie's bytes, as an Erlang node holds them (atom_to_list of the cookie atom). */
  bytes: Buffer;
  /** `monster`, `(empty)`, the node's short name, or `file entry #k`. */
  label: string;
}

interface Builtin {
  cookie: string;
  /** Tried first on nodes whose name shows this product. */
  product?: RegExp;
}

/** Documented defaults, the most exploited first. */
export const BUILTIN_COOKIES: readonly Builtin[] = [
  // Apache CouchDB before 3.2.2 shipped `-setcookie monster` (CVE-2022-24706).
  { cookie: 'monster', product: /^couchdb$/i },
  // An empty cookie: a node started with an empty .erlang.cookie or `-setcookie ''`.
  { cookie: '' },
  // EMQX 4's emqx.conf: `node.cookie = emqxsecretcookie` (it warns when in use).
  { cookie: 'emqxsecretcookie', product: /^emqx/i },
  // VerneMQ's vernemq.conf: `distributed_cookie = vmq`.
  { cookie: 'vmq', product: /^(vernemq|vmq)/i },
  // Riak's vm.args: `-setcookie riak`.
  { cookie: 'riak', product: /^riak/i },
];

/** The label of the empty cookie (an empty word would read as nothing). */
export const EMPTY_COOKIE_LABEL = '(empty)';

const PRINTABLE = /^[\x21-\x7e]{1,255}$/;

/**
 * The candidates for one node: the file's cookies in file order, or the
 * built-ins: a default of the product the node's name shows, then `monster`,
 * the empty cookie, the node's own short name (a common lazy choice), and the
 * other defaults.
 */
export function cookieCandidates(node: NamesNode, fromFile?: readonly string[]): CookieCandidate[] {
  if (fromFile) {
    return fromFile.map((c, i) => ({
      bytes: Buffer.from(c, 'latin1'),
      label: `file entry #${i + 1}`,
    }));
  }
  const name = Buffer.from(node.nameBytes).toString('latin1');
  const ordered = [
    ...BUILTIN_COOKIES.filter((b) => b.product?.test(name)).map((b) => b.cookie),
    'monster',
    '',
    ...(PRINTABLE.test(name) && name !== EMPTY_COOKIE_LABEL ? [name] : []),
    ...BUILTIN_COOKIES.map((b) => b.cookie),
  ];
  return [...new Set(ordered)].map((c) => ({
    bytes: Buffer.from(c, 'latin1'),
    label: c === '' ? EMPTY_COOKIE_LABEL : c,
  }));
}

/** How a risk names an accepted cookie: a built-in by its value, a file's by its position. */
export function acceptedCookieRisk(label: string): string {
  if (label.startsWith('file entry #')) return `cookie ${label} accepted: remote code execution`;
  const shown = label === EMPTY_COOKIE_LABEL ? '' : label;
  return `default cookie '${shown}' accepted: remote code execution`;
}
