// The --probe dist registration (src/probes/kind.ts): send_name to each
// target port (a fresh name per connection), read until the reply has a
// verdict (epmd/dist-reply.ts), classify it (classify.ts), try cookies on a
// node that said ok when --check-cookies asks (cookies.ts), judge its risks
// (risk.ts), say how to fix it (fixes.ts) and how it shows in each report
// (render.ts).

import { DFLAG_PUBLISHED, distReplyDone, flagsHex } from '../../epmd/dist-reply.js';
import { sendName } from '../follow-up-group.js';
import type { ProbeKind } from '../kind.js';
import { acceptedCookie, accepting, type HandshakeOutcome } from '../outcomes.js';
import { classifyDist, type DistVerdict } from './classify.js';
import { distCookies } from './cookies.js';
import {
  DIST,
  DIST_PORTS,
  DIST_STATUSES,
  type DistDetail,
  distRecord,
  isDistDetail,
} from './detail.js';
import { distFixes } from './fixes.js';
import { DIST_TAG, distCsv, distHtml, distJson, distTable } from './render.js';
import { assessDist } from './risk.js';
import { distSarif } from './sarif.js';

/** The detail of a verdict: null unless the port answered as distribution or TLS. */
export function detailOf(v: DistVerdict): DistDetail | null {
  let handshake: HandshakeOutcome;
  if (v.status === 'tls') handshake = { outcome: 'tls' };
  else if (v.status === 'erlang-distribution' && v.handshake !== null)
    handshake = { outcome: 'status', status: v.handshake };
  else return null;
  const c = v.challenge;
  return {
    handshake,
    fullName: c?.fullName ?? null,
    version: c?.version ?? null,
    flags: c ? flagsHex(c.flags) : null,
    hidden: c ? (c.flags & DFLAG_PUBLISHED) === 0n : null,
    cookie: null,
  };
}

export const distKind: ProbeKind<DistDetail, DistVerdict> = {
  name: DIST,
  describe:
    'the Erlang distribution handshake on each port itself (send_name): status, full name, version, flags; closes before authenticating',
  statuses: DIST_STATUSES,
  ports: DIST_PORTS,
  // send_name is what it does anyway; --node-info and --check-dist ask an EPMD.
  checks: ['handshake', 'checkCookies'],
  tag: DIST_TAG,
  noun: ['exposed distribution port', 'exposed distribution ports'],
  probe: (plan, env) => ({
    // A node allows one pending handshake per peer name: a fresh name per connection.
    request: () => sendName(),
    complete: distReplyDone,
    classify: classifyDist,
    record: (target, v) =>
      distRecord({
        ip: target.ip,
        port: target.port,
        status: v.status,
        error: v.error,
        severity: plan.severity,
        detail: detailOf(v),
      }),
    followUps: plan.checks.checkCookies
      ? async (target, v, record, holder) => {
          const d = record.detail;
          if (!d) return [];
          if (!v.challenge || !accepting(d.handshake)) {
            d.cookie = { outcome: 'not-tried' };
            return [];
          }
          const r = await distCookies(
            target.ip,
            target.port,
            v.challenge,
            d.handshake,
            plan.checks,
            env,
            holder,
          );
          d.cookie = r.cookie;
          return r.cut ? ['check-cookies'] : [];
        }
      : undefined,
    assess: assessDist,
  }),
  isDetail: isDistDetail,
  nodes: (r) =>
    r.detail?.fullName
      ? [
          {
            name: r.detail.fullName,
            port: r.port,
            reached: accepting(r.detail.handshake),
            acceptedCookie: acceptedCookie(r.detail.cookie ?? undefined),
          },
        ]
      : [],
  fixes: distFixes,
  csv: distCsv,
  ndjson: distJson,
  table: distTable,
  html: distHtml,
  sarif: distSarif,
};
