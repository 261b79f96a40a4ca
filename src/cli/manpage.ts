// The man page, epmd-scan(1), in roff: written at build time (scripts/man.js)
// from the same commander definition and flag table as --help.

import type { Command } from 'commander';
import type { Flag } from './flags.js';

/** Text for roff: backslashes, hyphens and a leading dot or quote made literal. */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

const bold = (s: string): string => `\\fB${roff(s)}\\fR`;
const italic = (s: string): string => `\\fI${roff(s)}\\fR`;

/** The tail of --help ("Examples:" and "Exit codes:"), as sections of the page. */
function helpSections(after: string): string[] {
  const out: string[] = [];
  const [examples = '', exits = ''] = after.trim().split(/\n\s*\nExit codes: /);
  out.push('.SH EXAMPLES');
  for (const line of examples.split('\n').slice(1)) {
    const m = /^\s+(\S.*?)(?:\s{2,}(\S.*))?$/.exec(line);
    if (!m) continue;
    out.push('.TP', bold(m[1] as string), roff(m[2] ?? ''));
  }
  out.push('.SH EXIT STATUS');
  for (const part of exits.replace(/\s+/g, ' ').split(/, (?=\d)/)) {
    const m = /^(\d+) (.*?)\.?$/.exec(part.trim());
    if (m) out.push('.TP', bold(m[1] as string), roff(m[2] as string));
  }
  return out;
}

/** epmd-scan(1): name, synopsis, description, every flag, examples, exit status. */
export function manPage(
  cmd: Command,
  flags: Flag[],
  info: { version: string; date: string; examples: string; extra: string },
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
    '.SH OPTIONS',
  ];
  for (const flag of flags) {
    const names = flag.names.map(bold).join(', ');
    lines.push('.TP', flag.value ? `${names} ${italic(flag.value)}` : names);
    const choices = flag.choices ? `; one of: ${flag.choices.join(', ')}` : '';
    const dflt = flag.defaultValue === null ? '' : ` (default: ${flag.defaultValue})`;
    lines.push(roff(`${flag.description}${choices}${dflt}`));
  }
  lines.push(...helpSections(info.examples));
  lines.push('.SH SHELL COMPLETION', '.nf', roff(info.extra.trim()), '.fi');
  lines.push(
    '.SH ENVIRONMENT',
    '.TP',
    bold('EPMD_SCAN_CITY_DB'),
    'the City database when \\fB\\-\\-city\\-db\\fR is not given',
    '.TP',
    bold('EPMD_SCAN_ASN_DB'),
    'the ASN database when \\fB\\-\\-asn\\-db\\fR is not given',
    '.TP',
    `${bold('NO_COLOR')}, ${bold('FORCE_COLOR')}`,
    'colour of the table and the progress line',
    '.SH SEE ALSO',
    'The README of the package (the recipes, the output fields, the follow-ups): https://github.com/epmd\\-scan/epmd\\-scan',
  );
  return `${lines.join('\n')}\n`;
}
