// What the follow-ups learn of one node, as tagged values: a report reads
// the tag, never a string parsed back. Each has one text form, the one
// NDJSON's node fields (and the table and HTML) write; schema/record.schema.json's
// patterns for them are generated from these tables (scripts/schema.js).

/**
 * How --check-cookies ended for one node, by tag; `true`: its text names
 * which cookie (`accepted: monster`, `accepted: file entry #2`).
 */
export const COOKIE_OUTCOMES = {
  accepted: true,
  rejected: false,
  inconclusive: false,
  'not-tried': false,
} as const;

/** How --check-cookies ended for one node. */
export type CookieOutcome =
  | {
      outcome: 'accepted';
      /** Which cookie, by label (`monster`, `the node name`, `file entry #2`): never a secret. */
      cookie: string;
    }
  | { outcome: 'rejected' }
  | {
      outcome: 'inconclusive';
      /** Why no answer: `io-timeout`, `status-nok`, `bad-ack-digest`, ... */
      error: string;
    }
  | { outcome: 'not-tried' };

/** NDJSON's `cookie` field: `accepted: monster`, `rejected`, `inconclusive` or `not-tried`. */
export function cookieText(c: CookieOutcome): string {
  return c.outcome === 'accepted' ? `accepted: ${c.cookie}` : c.outcome;
}

/** The pattern every cookieText() matches, for the schema. */
export function cookieTextPattern(): string {
  const alternatives = Object.entries(COOKIE_OUTCOMES).map(([tag, named]) =>
    named ? `${tag}: .+` : tag,
  );
  return `^(${alternatives.join('|')})$`;
}

/** The label of the cookie a node accepted, or null. */
export function acceptedCookie(c: CookieOutcome | undefined): string | null {
  return c?.outcome === 'accepted' ? c.cookie : null;
}

/** How the start of a distribution handshake (send_name) ended, by tag. */
export const HANDSHAKE_OUTCOMES = ['status', 'tls', 'failed'] as const;

/** How the start of a distribution handshake ended. */
export type HandshakeOutcome =
  | {
      outcome: 'status';
      /** The status the node sent (ok, nok, not_allowed, alive, ...): escaped text, as sent. */
      status: string;
    }
  | { outcome: 'tls' }
  | {
      outcome: 'failed';
      /** Why there was no status: `io-timeout`, `not-erlang-distribution`, `no-reply`, ... */
      error: string;
    };

/** Statuses after which a node sends its challenge: it takes distribution connections. */
export const ACCEPTING_STATUSES = ['ok', 'ok_simultaneous'] as const;

/** NDJSON's `dist_status` field: the node's status, `tls`, or why there was none. */
export function handshakeText(h: HandshakeOutcome): string {
  if (h.outcome === 'status') return h.status;
  return h.outcome === 'tls' ? 'tls' : h.error;
}

/** Whether the node said it takes our connection (its challenge follows). */
export function accepting(h: HandshakeOutcome | undefined): boolean {
  return h?.outcome === 'status' && (ACCEPTING_STATUSES as readonly string[]).includes(h.status);
}
