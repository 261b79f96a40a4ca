// The reports one run writes: their formatters, opening them (a resumed
// run's at its counted offsets) and ending them; output-plan.ts plans them.

import { lstat, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { describeFileError } from '../errors.js';
import { keepModeOf, openOwnFile } from '../files/own-file.js';
import { csvFormatter } from '../output/csv.js';
import type { Formatter } from '../output/formatter.js';
import { type HtmlContext, htmlFormatter } from '../output/html.js';
import { ndjsonFormatter } from '../output/ndjson.js';
import { openOutput, type ReportOutput } from '../output/report-output.js';
import { sarifFormatter } from '../output/sarif.js';
import { tableFormatter } from '../output/table.js';
import type { ScanRecord } from '../record.js';
import type { Gate, Verdict } from '../report/gate.js';
import type { Stats } from '../report/summary.js';
import { shown } from '../text/escape.js';
import { colorLevel } from './color.js';
import type { PlannedOutput } from './output-plan.js';
import type { ReportOptions } from './run-options.js';

export { type PlannedOutput, planOutputs } from './output-plan.js';

/** A report open for writing, with its formatter. */
export interface OpenOutput extends PlannedOutput {
  out: ReportOutput;
  formatter: Formatter;
}

/** What the formatters read of the report options. */
type FormatterOptions = Pick<
  ReportOptions,
  'all' | 'nodeSeparator' | 'enrich' | 'version' | 'sarifLocation'
>;

/** What the formatters learn from the run as it goes. */
export interface RunContext {
  /** The HTML page's figures, asked for at its footer. */
  html?: () => HtmlContext;
  /** The gate's verdict on an exposure: allowed, and against the baseline. */
  verdict?: (r: ScanRecord) => Verdict | null;
  /** At a footer: whether the run was cut short. */
  interrupted?: () => boolean;
}

/** The run as the formatters see it: the HTML page's figures, the gate's verdicts, how it ended. */
export function runContext(run: {
  report: ReportOptions;
  stats: Stats;
  gate: Gate | null;
  /** Targets in this run (this shard, after excludes), and the ports. */
  total: number;
  ports: number[];
  started: Date;
  /** Targets earlier parts of a resumed run did. */
  resumedAt: number;
  interrupted: () => boolean;
}): RunContext {
  const { report, stats, gate } = run;
  return {
    html: () => ({
      total: run.total,
      done: stats.done,
      byStatus: stats.byStatus,
      gate: gate?.summary,
      failOn: report.failOn,
      interrupted: run.interrupted(),
      scope: {
        targets: report.scope ?? '',
        ports: run.ports,
        started: run.started,
        seconds: stats.seconds,
        resumedAt: run.resumedAt,
      },
    }),
    verdict: gate ? (r) => gate.verdict(r) : undefined,
    interrupted: run.interrupted,
  };
}

function formatterFor(
  { format, plan }: PlannedOutput,
  options: FormatterOptions,
  to: Writable | null,
  env: NodeJS.ProcessEnv,
  run: RunContext,
): Formatter {
  if (format === 'ndjson') return ndjsonFormatter({ all: options.all });
  if (format === 'table') {
    const where = Boolean(options.enrich.cityDb || options.enrich.asnDb);
    return tableFormatter({
      colorLevel: to ? colorLevel(to, env) : 0,
      where,
      verdict: run.verdict,
    });
  }
  if (format === 'html') {
    // The rows wait in a temporary file beside the report (the system's temp folder for stdout).
    const spillDir = plan.dest === undefined ? undefined : dirname(plan.dest);
    return htmlFormatter({ context: run.html, verdict: run.verdict, spillDir });
  }
  if (format === 'sarif') {
    const { version, sarifLocation: location } = options;
    return sarifFormatter({ version, location, ...run });
  }
  return csvFormatter({ nodeSeparator: options.nodeSeparator });
}

/** The formatters alone (a finished run's replay needs no open file). */
export function formattersOf(
  planned: PlannedOutput[],
  options: FormatterOptions,
  stdout: Writable,
  env: NodeJS.ProcessEnv,
  run: RunContext = {},
): Formatter[] {
  return planned.map((p) =>
    formatterFor(p, options, p.plan.path === null ? stdout : null, env, run),
  );
}

/** Opens every report; on a failure the ones already open are closed. */
export async function openOutputs(
  planned: PlannedOutput[],
  formatters: Formatter[],
  stdout: Writable,
  offsets: number[] | null,
  signal?: AbortSignal,
): Promise<OpenOutput[]> {
  const open: OpenOutput[] = [];
  try {
    for (const [i, p] of planned.entries()) {
      const out = await openOutput(p.plan, stdout, offsets?.[i] ?? 0, signal);
      open.push({ ...p, out, formatter: formatters[i] as Formatter });
    }
  } catch (error) {
    for (const o of open) await o.out.close();
    throw error;
  }
  return open;
}

/**
 * A finished run's reports: in place, or still partials if the renames were
 * cut short (then they are renamed now). A message when one is missing.
 */
export async function reportsInPlace(
  planned: PlannedOutput[],
  offsets: number[],
): Promise<string | null> {
  for (const [i, { plan }] of planned.entries()) {
    if (plan.kind !== 'file') continue;
    const fh = await openOwnFile(plan.partial as string, 'the partial report').catch((error) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    });
    const size = fh ? (await fh.stat()).size : null;
    if (fh && size === offsets[i]) await keepModeOf(fh, plan.dest as string);
    await fh?.close();
    if (size === offsets[i]) {
      await rename(plan.partial as string, plan.dest as string);
      continue;
    }
    if (!(await lstat(plan.dest as string).catch(() => null))?.isFile()) {
      return `the checkpoint says the scan is finished, but its report '${shown(plan.path ?? '')}' is missing`;
    }
  }
  return null;
}

/** How each report ended, in words, and the exit code that follows. */
export interface Ending {
  code: 0 | 3;
  /** The reader of stdout went away before the end. */
  epipe: boolean;
}

/**
 * Ends every report: made whole (renamed into place) when `whole`, kept as it
 * is when the run stopped early (`keep`: as partials for a resumed run,
 * otherwise completed with what they have), removed after a write failure
 * unless a checkpoint counts them.
 */
export async function endOutputs(
  outputs: OpenOutput[],
  how: { whole: boolean; counted: boolean },
  say: (line: string) => void,
): Promise<Ending> {
  let code: 0 | 3 = 0;
  let epipe = false;
  for (const { out, formatter } of outputs) {
    const error = out.error;
    if (!how.whole && !how.counted && formatter.footerParts && out.written === 0 && !error) {
      // A page written only at its end, which never came: there is nothing to keep.
      await out.discard();
      continue;
    }
    if (error && error.code === 'EPIPE') epipe = true;
    if (error && error.code !== 'EPIPE') {
      if (how.counted) await out.close();
      else await out.discard();
      say(`cannot write '${out.name}': ${describeFileError(error)}`);
      code = 3;
      continue;
    }
    try {
      if (how.whole || !how.counted) await out.complete();
      else await out.close();
    } catch (failure) {
      if (!how.counted) await out.discard();
      say((failure as Error).message);
      code = 3;
    }
  }
  return { code, epipe };
}
