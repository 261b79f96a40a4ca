// `--version` and `--version --verbose`: what is installed and how it will run.

import { availableParallelism } from 'node:os';
import { socketPath } from '../runtime/raw-tcp.js';
import { DEFAULTS } from '../scan/options.js';
import { MIN_PARALLEL_TARGETS, workerCount } from '../scan/parallel.js';

/**
 * The version alone, or with `verbose` three more `key: value` lines: Node's
 * version, the connect path a scan in `env` takes (bare tcp_wrap handles or
 * net.Socket, and why), and the
 * worker threads `--workers auto` starts for a large scan at the default -c.
 */
export function versionText(
  version: string,
  verbose: boolean,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (!verbose) return `${version}\n`;
  const cores = availableParallelism();
  const workers = workerCount({ workers: 'auto' }, MIN_PARALLEL_TARGETS, DEFAULTS.concurrency);
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
    `workers: auto = ${workers} for scans of ${MIN_PARALLEL_TARGETS.toLocaleString('en')}+ targets (${cores} cores available)`,
    '',
  ].join('\n');
}
