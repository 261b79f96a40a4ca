// `--version` and `--version --verbose`: what is installed and how it will run.

import { availableParallelism } from 'node:os';
import { openFileLimit, socketBudget } from '../app/limits.js';
import { socketPath } from '../runtime/raw-tcp.js';
import { describeCeiling } from '../scan/in-flight.js';
import { MIN_PARALLEL_RATE, MIN_PARALLEL_TARGETS, workerCount } from '../scan/parallel.js';
import { inFlightFor, resolveProbe } from '../scan/plan.js';
import { grouped } from '../text/numbers.js';

/**
 * The version alone, or with `verbose` four more `key: value` lines: Node's
 * version, the connect path a scan in `env` takes (bare tcp_wrap handles or
 * net.Socket, and why), the worker threads `--workers auto` starts for a
 * large scan, and the probes in flight at the defaults (a report to stdout)
 * with what sets that ceiling.
 */
export function versionText(
  version: string,
  verbose: boolean,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (!verbose) return `${version}\n`;
  const cores = availableParallelism();
  const limit = openFileLimit();
  const budget = socketBudget(limit, { reports: 1, checkpoint: false, metrics: false });
  const probe = resolveProbe({});
  const plan = inFlightFor(probe, undefined, budget);
  const big = MIN_PARALLEL_TARGETS;
  const workers = workerCount({ workers: 'auto', rate: plan.rate }, big, plan.ceiling);
  const fast = workerCount({ workers: 'auto', rate: MIN_PARALLEL_RATE }, big, plan.ceiling);
  // The path a scan with this environment takes (socketPath: what runScan uses).
  const path = socketPath(env);
  const sockets =
    path.path === 'bare'
      ? "bare tcp_wrap handles (fast path, process.binding('tcp_wrap'))"
      : `net.Socket (portable path: ${path.reason})`;
  return [
    version,
    `node: ${process.version}`,
    `sockets: ${sockets}`,
    `workers: auto = ${workers} for scans of ${grouped(big)}+ targets at the default rate, ${fast} from --rate ${grouped(MIN_PARALLEL_RATE)} (${cores} cores available)`,
    `${describeCeiling(plan, probe.connectTimeout)} at the defaults (open-file limit ${limit === null ? 'none' : grouped(limit)})`,
    '',
  ].join('\n');
}
