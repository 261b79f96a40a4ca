// The EPMD NAMES probe as a ProbeKind (kind.ts): request NAMES, read to EOF,
// classify the reply (classify.ts), and for an exposure run the node
// follow-ups the settings ask for (node-checks.ts).

import { encodeNamesRequest } from '../epmd/names.js';
import { newRecord } from '../record.js';
import { classify, type Verdict } from './classify.js';
import type { ProbeKind } from './kind.js';
import {
  anyNodeCheck,
  checkNodes,
  type FollowUpEnv,
  type NodeCheckOptions,
} from './node-checks.js';

/** The NAMES probe; with `followUps`, the node checks `options` ask for run for every exposure. */
export function namesProbe(options: NodeCheckOptions, followUps: FollowUpEnv): ProbeKind<Verdict> {
  return {
    name: 'epmd-names',
    request: encodeNamesRequest(),
    classify,
    record: (target, v, severity) =>
      newRecord({
        ip: target.ip,
        port: target.port,
        status: v.status,
        error: v.error,
        epmdPort: v.epmdPort,
        nodes: v.nodes.map((n) => ({ name: n.name, port: n.port })),
        truncated: v.truncated,
        severity,
      }),
    followUps: anyNodeCheck(options)
      ? (target, v, record, holder) =>
          checkNodes(target.ip, target.port, v.nodes, record.nodes, options, followUps, holder)
      : undefined,
  };
}
