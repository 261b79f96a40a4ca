// The reports of a run planned before the first packet: where each one
// really goes, every name the run derives checked, what sits at those names
// checked, and each report file locked.

import { describeFileError, UsageError } from '../errors.js';
import { refuseForeign } from '../files/own-file.js';
import { makeFolder } from '../files/paths.js';
import type { Format } from '../output/formatter.js';
import { FileLock } from '../output/lock.js';
import { type OutputPlan, planOutput } from '../output/report-output.js';
import { foundLogPath } from '../resume/checkpoint.js';
import { shown } from '../text/escape.js';
import { checkCompanions } from './companions.js';
import type { OutputSpec, ReportOptions } from './run-options.js';

/** One report of a run. */
export interface PlannedOutput {
  format: Format;
  plan: OutputPlan;
  /** What a checkpoint calls it: the report's real path, or `stdout`. */
  id: string;
  /** The option that asked for it, for messages. */
  flag: string;
}

/** -oA into a folder: the folder is made if need be (the names are the tool's). */
async function makeOutputFolder(prefix: string | undefined): Promise<void> {
  if (!prefix?.endsWith('/')) return;
  try {
    await makeFolder(prefix);
  } catch (error) {
    throw new UsageError(
      `-oA '${shown(prefix)}': cannot make the folder: ${describeFileError(error)}`,
    );
  }
}

/**
 * Checks every report path before the first packet (and, with the
 * checkpoint's real path, every name the run derives), then locks each
 * file: two runs on one report would lose results.
 */
export async function planOutputs(
  specs: OutputSpec[],
  report: Pick<ReportOptions, 'outputAll'>,
  checkpoint: { given: string; path: string } | undefined,
  locks: FileLock[],
  say: (line: string) => void,
): Promise<PlannedOutput[]> {
  await makeOutputFolder(report.outputAll);
  const planned: PlannedOutput[] = [];
  for (const spec of specs) {
    const plan = await planOutput(spec.path);
    const id = plan.kind === 'file' ? (plan.dest as string) : (plan.path ?? 'stdout');
    if (planned.some((p) => p.id === id)) {
      throw new UsageError(`two reports would be written to '${shown(spec.path ?? 'stdout')}'`);
    }
    planned.push({ format: spec.format, plan, id, flag: spec.flag ?? '-o' });
  }
  checkCompanions(planned, checkpoint);
  for (const { plan } of planned) {
    if (plan.kind === 'file') await refuseForeign(plan.partial as string, 'the partial report');
  }
  if (checkpoint)
    await refuseForeign(foundLogPath(checkpoint.path), 'the found-log of the checkpoint');
  for (const { plan } of planned) {
    if (plan.kind === 'file')
      locks.push(await FileLock.take(plan.dest as string, 'the report', say));
  }
  return planned;
}
