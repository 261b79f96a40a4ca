// The man page, epmd-scan(1), in roff: written at build time (scripts/man.js)
// from the same commander definition, flag table and help data as --help
// (help-text.ts, habits.ts), never parsed back from the help's text.

import type { Command } from 'commander';
import type { Flag } from './flags.js';
import { habitLines } from './habits.js';
import {
  COMPLETION_LINES,
  ENVIRONMENT,
  EXAMPLES,
  EXIT_STATUS,
  type Example,
  INPUT_RULES,
  plain,
} from './help-text.js';

/** Text for roff: backslashes, hyphens and a leading dot or quote made literal. */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

const bold = (s: string): string => `\\fB${roff(s)}\\fR`;
const italic = (s: string): string => `\\fI${roff(s)}\\fR`;

/** A tagged paragraph per entry: the tag in bold, then the text. */
const tagged = (tag: string, text: string): string[] => ['.TP', bold(tag), roff(text)];

function options(flags: Flag[]): string[] {
  const lines = ['.SH OPTIONS'];
  for (const flag of flags) {
    const names = flag.names.map(bold).join(', ');
    lines.push('.TP', flag.value ? `${names} ${italic(flag.value)}` : names);
    const choices = flag.choices ? `; one of: ${flag.choices.join(', ')}` : '';
    const dflt = flag.defaultValue === null ? '' : ` (default: ${flag.defaultValue})`;
    lines.push(roff(`${flag.description}${choices}${dflt}`));
  }
  return lines;
}

/** The sections after OPTIONS, each from its table of data. */
function dataSections(): string[] {
  const examples = (list: readonly Example[]): string[] =>
    list.flatMap((e) => tagged(e.command, e.what));
  return [
    '.SH EXAMPLES',
    ...examples(EXAMPLES),
    '.SH EXIT STATUS',
    ...EXIT_STATUS.flatMap((e) => tagged(String(e.code), plain(e.meaning))),
    '.SH ENVIRONMENT',
    ...ENVIRONMENT.flatMap((e) => tagged(e.name, plain(e.meaning))),
    '.SH NMAP AND MASSCAN HABITS',
    'Flags that nmap and masscan users type out of habit, and what epmd\\-scan does with each:',
    ...habitLines().flatMap((h) => tagged(h.flags, h.answer)),
    '.SH SHELL COMPLETION',
    `${bold('epmd-scan completion')} ${bold('bash')}|${bold('zsh')}|${bold('fish')} prints a script:`,
    ...examples(COMPLETION_LINES),
    '.PP',
    `A target named ${bold('completion')} goes after ${bold('--')}: ${bold('epmd-scan -- completion')}.`,
  ];
}

/** epmd-scan(1): name, synopsis, description, every flag, examples, exit status, environment. */
export function manPage(
  cmd: Command,
  flags: Flag[],
  info: { version: string; date: string },
): string {
  const arg = cmd.registeredArguments[0];
  const lines = [
    `.TH EPMD\\-SCAN 1 "${info.date}" "epmd-scan ${info.version}" "User Commands"`,
    '.SH NAME',
    `epmd\\-scan \\- ${roff(cmd.description().replace(/\.$/, ''))}`,
    '.SH SYNOPSIS',
    `${bold('epmd-scan')} [${italic('options')}] [${italic('targets')}...]`,
    '.br',
    `${bold('epmd-scan completion')} ${bold('bash')}|${bold('zsh')}|${bold('fish')}`,
    '.SH DESCRIPTION',
    roff(cmd.description()),
    'Results go to standard output (or \\fB\\-o\\fR); the progress line, the summary and diagnostics go to standard error.',
    '.PP',
    `${italic('targets')}: ${roff(arg?.description ?? '')}.`,
    '.PP',
    roff(`Input: ${INPUT_RULES}`),
    ...options(flags),
    ...dataSections(),
    '.SH SEE ALSO',
    'The README of the package (the recipes, the output fields, the follow-ups): https://github.com/epmd\\-scan/epmd\\-scan',
  ];
  return `${lines.join('\n')}\n`;
}
