// The files a run writes beside its reports and checkpoint, checked before
// the first packet: every derived name fits NAME_MAX, and no report is
// another file's companion (`-o r.csv --ndjson r.csv.lock` would have the
// next run delete that report as a stale lock; `--ndjson ck.found` would
// overwrite the found-log).

import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { checkNames, type DerivedName } from '../files/paths.js';
import type { OutputPlan } from '../output/report-output.js';
import { checkpointNames } from '../resume/checkpoint.js';
import { shown } from '../text/escape.js';
import { intelmqName, type OutputSpec, outputAllPaths, type ReportOptions } from './run-options.js';

/** A report as planned (outputs.ts's PlannedOutput). */
interface Planned {
  format: string;
  plan: OutputPlan;
  id: string;
  flag: string;
}

/** The names a report written to a file derives. */
const reportNames = (dest: string): DerivedName[] => [
  { role: '', path: dest },
  { role: 'partial report', path: `${dest}.partial` },
  { role: 'lock', path: `${dest}.lock` },
];

/** How a message names a report: its format and the path given. */
const named = (o: Planned): string => `the ${o.format} report '${shown(o.plan.path ?? '')}'`;

/**
 * Refuses a derived name past NAME_MAX, and a report that is another
 * report's or the checkpoint's file or companion. `checkpoint`: its real path.
 */
export function checkCompanions(
  outputs: Planned[],
  checkpoint?: { given: string; path: string },
): void {
  const owners = new Map<string, string>();
  const claim = (path: string, role: string, owner: string): void => {
    const who = role ? `the ${role} of ${owner}` : owner;
    const before = owners.get(path);
    if (before !== undefined) {
      throw new UsageError(
        `${who} would be ${before}: '${shown(path, 200)}'`,
        'give each report and the checkpoint a name of its own',
      );
    }
    owners.set(path, who);
  };
  if (checkpoint !== undefined) {
    const names = checkpointNames(checkpoint.path);
    checkNames('--resume', checkpoint.given, names);
    for (const { role, path } of names.slice(0, 3)) claim(path, role, `the checkpoint`);
  }
  for (const o of outputs) {
    if (o.plan.kind !== 'file') {
      if (o.plan.path !== null) claim(o.id, '', named(o));
      continue;
    }
    const names = reportNames(o.plan.dest as string);
    checkNames(o.flag, o.plan.path as string, names);
    for (const { role, path } of names) claim(path, role, named(o));
  }
}

/**
 * The reports asked for, with `-oA <folder>/`'s names taken from the
 * checkpoint when it has them: a resume after UTC midnight continues the
 * reports it began, not new ones named after the new day.
 */
export function datedOutputs(
  report: ReportOptions,
  saved: { path: string }[] | undefined,
  today = new Date(),
): OutputSpec[] {
  const prefix = report.outputAll;
  if (prefix === undefined || !saved) return report.outputs;
  const day = saved
    .map((o) =>
      /^(\d{4}-\d{2}-\d{2})-scan_epmd-epmd-scan\.(csv|ndjson|html|sarif)$/.exec(basename(o.path)),
    )
    .find((m) => m !== null)?.[1];
  if (day === undefined || day === intelmqName(today).slice(0, 10)) return report.outputs;
  const now = outputAllPaths(prefix, today);
  const then = outputAllPaths(prefix, new Date(`${day}T00:00:00Z`));
  return report.outputs.map((spec) => {
    const format = spec.format as keyof typeof now;
    return spec.path !== undefined && now[format] === spec.path && now[format] !== then[format]
      ? { ...spec, path: then[format] }
      : spec;
  });
}
