// --resume before the first packet: the checkpoint's real path (a link to it
// is the same checkpoint, locked once), its names checked against NAME_MAX,
// its lock, what it holds, and that it belongs to this very command.

import { describeFileError, UsageError } from '../errors.js';
import { checkNames, realTarget } from '../files/paths.js';
import { FileLock } from '../output/lock.js';
import { anyNodeCheck, type ProbePlan } from '../probes/plan.js';
import {
  type Checkpoint,
  checkpointNames,
  checkSameRun,
  fingerprint,
  foundLogPath,
  type RecordSettings,
  type RunIdentity,
  readCheckpoint,
  removeTemporaries,
} from '../resume/checkpoint.js';
import type { FoundEntry } from '../resume/found-log.js';
import { readFoundLog } from '../resume/found-log.js';
import { shown } from '../text/escape.js';
import type { PlannedOutput } from './outputs.js';
import type { RunOptions } from './run-options.js';
import type { PlannedTargets } from './targets.js';

/** A resumable run's state on disk, as read before the scan. */
export interface ResumeState {
  /** The checkpoint's real path. */
  path: string;
  /** Null on the first run of this command. */
  checkpoint: Checkpoint | null;
  identity: RunIdentity;
  /** What earlier parts of the run found, for the gate and summary of the whole run. */
  found: FoundEntry[];
}

/** A checkpoint named on the command line: as given, its real path, and what it holds. */
export interface CheckpointFile {
  given: string;
  path: string;
  /** Null on the first run of this command. */
  checkpoint: Checkpoint | null;
}

/** Finds, checks, locks and reads the checkpoint; null without --resume. */
export async function openCheckpoint(
  given: string | undefined,
  locks: FileLock[],
  say: (line: string) => void,
): Promise<CheckpointFile | null> {
  if (given === undefined) return null;
  let path: string;
  try {
    path = await realTarget(given);
  } catch (error) {
    throw new UsageError(
      `cannot use the checkpoint '${shown(given)}': ${describeFileError(error, 'its folder does not exist')}`,
    );
  }
  checkNames('--resume', given, checkpointNames(path));
  locks.push(await FileLock.take(path, 'the checkpoint', say));
  await removeTemporaries(path);
  return { given, path, checkpoint: await readCheckpoint(path) };
}

/**
 * What a checkpoint records of the settings that change what a record holds
 * (the plan's, every default applied); `cookies`: null without
 * --check-cookies, `built-in`, or the cookie file's digest.
 */
export function recordSettings(
  run: RunOptions,
  probe: ProbePlan,
  cookies: string | null,
  baseline: string | null,
): RecordSettings {
  const { report } = run;
  const { checks, sourceIps } = probe;
  return {
    probe: probe.kind,
    sourceIp: sourceIps ? [sourceIps.v4, sourceIps.v6].filter(Boolean).join(' ') : null,
    nodeInfo: checks.nodeInfo,
    checkDist: checks.checkDist,
    handshake: checks.handshake,
    checkCookies: cookies,
    cookieAttempts: cookies === null ? null : checks.cookieAttempts,
    followUpTimeout: anyNodeCheck(checks) ? probe.followUpTimeout : null,
    maxReply: probe.maxReply,
    resolve: report.enrich.resolve,
    cityDb: report.enrich.cityDb !== undefined,
    asnDb: report.enrich.asnDb !== undefined,
    assetMap: report.enrich.assetMap !== undefined,
    baseline,
  };
}

/** This run's identity, checked against the checkpoint's; and what earlier parts found. */
export async function resumeState(
  file: CheckpointFile,
  plan: PlannedTargets,
  outputs: PlannedOutput[],
  run: RunOptions,
  probe: ProbePlan,
  records: RecordSettings,
): Promise<ResumeState> {
  const { order } = plan;
  // planTargets refuses --resume with a stream, which has no order.
  if (!order) throw new UsageError('--resume needs the whole target list, not a stream');
  const shard = order.options.shard;
  const identity: RunIdentity = {
    fingerprint: fingerprint(order),
    size: order.size,
    ports: order.options.ports,
    seed: plan.seed?.value ?? null,
    shard: shard ? `${shard.index}/${shard.total}` : null,
    outputs: outputs.map((o) => ({ format: o.format, path: o.id })),
    all: run.report.all,
    nodeSeparator: run.report.nodeSeparator,
    severity: probe.severity,
    records,
  };
  const { checkpoint, path } = file;
  if (checkpoint) checkSameRun(path, checkpoint, identity);
  const found = checkpoint
    ? await readFoundLog(foundLogPath(path), checkpoint.found, order.size)
    : [];
  return { path, checkpoint, identity, found };
}
