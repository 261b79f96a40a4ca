// The EPMD NAMES probe's registration (src/probes/kind.ts): request NAMES,
// read to EOF, classify the reply (classify.ts), run the node follow-ups the
// plan asks for on an exposure (node-checks.ts), judge its risks (risk.ts),
// say how to fix it (fixes.ts) and how it shows in each report (render.ts).

import { encodeNamesRequest } from '../../epmd/names.js';
import { newRecord } from '../../record.js';
import type { ProbeKind } from '../kind.js';
import { acceptedCookie } from '../outcomes.js';
import { anyNodeCheck } from '../plan.js';
import { classify, type Verdict } from './classify.js';
import { isNamesDetail, NAMES, type NamesDetail } from './detail.js';
import { remediationFor } from './fixes.js';
import { checkNodes } from './node-checks.js';
import { NAMES_TAG, namesCsv, namesHtml, namesJson, namesTable } from './render.js';
import { assess } from './risk.js';
import { namesSarif } from './sarif.js';

/** The one NAMES request every target is sent. */
const REQUEST = encodeNamesRequest();

export const namesKind: ProbeKind<NamesDetail, Verdict> = {
  name: NAMES,
  describe: 'the EPMD NAMES request, for the nodes an epmd lists',
  statuses: [
    { name: 'epmd', exposed: true },
    { name: 'not-epmd', exposed: false },
  ],
  tag: NAMES_TAG,
  noun: ['exposed EPMD', 'exposed EPMDs'],
  probe: (plan, env) => ({
    request: () => REQUEST,
    classify,
    // newRecord itself, not namesRecord: one object per refusal, the common case of a sweep.
    record: (target, v) =>
      newRecord<NamesDetail>({
        ip: target.ip,
        port: target.port,
        probe: NAMES,
        status: v.status,
        exposed: v.status === 'epmd',
        error: v.error,
        severity: plan.severity,
        detail:
          v.epmdPort === null
            ? null
            : {
                epmdPort: v.epmdPort,
                nodes: v.nodes.map((n) => ({ name: n.name, port: n.port })),
                truncated: v.truncated,
              },
      }),
    // A verdict with no EPMD reply is its status and error: record() would add nothing.
    plain: (v) => (v.epmdPort === null && v.status !== 'epmd' ? v : null),
    followUps: anyNodeCheck(plan.checks)
      ? (target, v, record, holder) =>
          checkNodes(
            target.ip,
            target.port,
            v.nodes,
            record.detail?.nodes ?? [],
            plan.checks,
            env,
            holder,
          )
      : undefined,
    assess,
  }),
  isDetail: isNamesDetail,
  nodes: (r) =>
    (r.detail?.nodes ?? []).map((n) => ({
      name: n.name,
      port: n.port,
      reached: n.distReachable === true,
      acceptedCookie: acceptedCookie(n.cookie),
    })),
  fixes: remediationFor,
  csv: namesCsv,
  ndjson: namesJson,
  table: namesTable,
  html: namesHtml,
  sarif: namesSarif,
};
