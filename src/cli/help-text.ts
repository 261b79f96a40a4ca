// The words --help prints after the flags, as data: the examples, the exit
// statuses, the input rules, the environment, the nmap habits and the shell
// completion. The man page (manpage.ts) is made from the same data, never
// parsed back from the help's text; tests hold the README's tables to it.

import { EXIT } from '../app/run-scan.js';
import { habitLines } from './habits.js';

/** A command and what it does. Every target is a documentation or private range, never the internet. */
export interface Example {
  command: string;
  what: string;
}

export const EXAMPLES: readonly Example[] = [
  { command: 'epmd-scan 127.0.0.1', what: 'scan this machine, CSV on stdout' },
  { command: 'epmd-scan @local', what: "every address of this machine's interfaces" },
  { command: 'epmd-scan 192.0.2.0/24 -o report.csv', what: 'a /24, report written atomically' },
  { command: 'epmd-scan 192.0.2.10-50 -p 4369,14369', what: 'a range, two ports' },
  {
    command: 'epmd-scan -iL staging.txt --exclude 192.0.2.1',
    what: 'the targets of a file, less one',
  },
  {
    command: 'zmap -p 4369 -q 198.51.100.0/22 | epmd-scan -iL -',
    what: 'what a zmap sweep of a range found open',
  },
  {
    command: 'epmd-scan 10.0.0.0/8 --shuffle s1 --shard 2/8 --resume shard2.ckpt',
    what: 'shard 2 of 8 of a /8, resumable',
  },
  { command: 'epmd-scan 192.0.2.0/24 -f table', what: 'a table for people' },
  {
    command: 'epmd-scan 192.0.2.0/24 -S 192.0.2.250',
    what: 'connect from this address of this host',
  },
  {
    command: 'epmd-scan -iL staging.txt --baseline accepted.csv --fail-on-exposed -q',
    what: 'a CI gate: exit 1 on a new exposure',
  },
];

/** An exit status: `meaning` is the README's exit-code table, word for word; `short` is --help's. */
export interface ExitStatus {
  code: number;
  short: string;
  meaning: string;
}

export const EXIT_STATUS: readonly ExitStatus[] = [
  {
    code: EXIT.ok,
    short: 'done (gate not tripped)',
    meaning: 'the scan completed (and the gate, if asked, did not trip)',
  },
  {
    code: EXIT.exposed,
    short: 'the gate tripped (--fail-on-exposed, --fail-on)',
    meaning:
      'the gate tripped: `--fail-on-exposed` (a new exposure, or a new node on a known one) or `--fail-on <kinds>`',
  },
  {
    code: EXIT.usage,
    short: 'bad usage or input (nothing scanned)',
    meaning:
      'usage or input error (bad option, bad target, unresolvable hostname, unreadable baseline or allow-list, an `-o` or `--resume` path that cannot be written, a bad or foreign checkpoint, a report or checkpoint in use by another run, an nmap or masscan flag epmd-scan does not take): nothing was scanned',
  },
  {
    code: EXIT.runtime,
    short: 'runtime failure (e.g. output not writable)',
    meaning:
      'runtime failure: the report or the checkpoint could not be written during the scan (a full disk), or, with `--resume` or `--fail-on-exposed`, the reader of stdout went away before the end; rerun the same command to continue. A failure nobody foresaw is one escaped line, `unexpected error (please report it): ...`, never a stack trace',
  },
  {
    code: EXIT.interrupted,
    short: 'interrupted (results so far written)',
    meaning:
      'interrupted (Ctrl-C or SIGTERM): the results obtained so far were written (with `--resume`, to `<file>.partial`, counted by the checkpoint); the process ends within 2 s',
  },
];

/** An environment variable the code reads, and what it does (the README's table, word for word). */
export interface EnvVar {
  name: string;
  meaning: string;
}

export const ENVIRONMENT: readonly EnvVar[] = [
  { name: 'EPMD_SCAN_CITY_DB', meaning: 'the City database when `--city-db` is not given' },
  { name: 'EPMD_SCAN_ASN_DB', meaning: 'the ASN database when `--asn-db` is not given' },
  {
    name: 'EPMD_SCAN_PORTABLE_SOCKETS',
    meaning:
      '`1`: connect with `net.connect` (the portable path, slower), without the note a forced fallback gives',
  },
  {
    name: 'EPMD_SCAN_PORTABLE',
    meaning:
      "`1`: leave Node alone: `net.connect`, Node's own stack traces and heap (slower, more memory)",
  },
  { name: 'EPMD_SCAN_STACK_TRACES', meaning: '`1`: keep stack traces (for debugging)' },
  {
    name: 'NO_COLOR',
    meaning: 'set and not empty: no colour in the table and the progress line',
  },
  { name: 'FORCE_COLOR', meaning: '`0` to `3`: that colour level, even when not a terminal' },
  { name: 'TERM', meaning: 'on a terminal: `dumb` means no colour, `*256*` 256 colours' },
  { name: 'COLORTERM', meaning: 'on a terminal: `truecolor` or `24bit` means 24-bit colour' },
  {
    name: 'NODE_OPTIONS',
    meaning:
      '`--throw-deprecation` or `--pending-deprecation` there make every connection go through `net.connect`, with a note',
  },
  {
    name: 'NODE_PENDING_DEPRECATION',
    meaning: '`1`: the same as `--pending-deprecation` in `NODE_OPTIONS`',
  },
];

/** What input lines may hold, and the IPv4 rule. */
export const INPUT_RULES =
  'lines of at most 64 KiB in target files, stdin, allow-lists and asset maps, 64 MiB in baselines. IPv4 is the dotted quad a.b.c.d only: 0x7f000001, 012.0.0.1 and 127.1 are refused, never resolved.';

export const COMPLETION_LINES: readonly Example[] = [
  { command: 'source <(epmd-scan completion bash)', what: 'in ~/.bashrc' },
  { command: 'source <(epmd-scan completion zsh)', what: 'in ~/.zshrc, after compinit' },
  { command: 'epmd-scan completion fish | source', what: 'in ~/.config/fish/config.fish' },
];

/** Text as a person reads it: the README's `code` marks dropped. */
export const plain = (text: string): string => text.replace(/`/g, '');

/** `  command   what`, the command alone on its line when it is long. */
function pairs(list: readonly { command: string; what: string }[], width = 44): string[] {
  return list.map(({ command, what }) =>
    command.length < width
      ? `  ${command.padEnd(width)} ${what}`
      : `  ${command}\n  ${' '.repeat(width)} ${what}`,
  );
}

/** Words wrapped to `width` columns, each line indented by `indent`. */
export function wrap(text: string, indent = '', width = 78): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** The examples, as --help prints them (and a run without targets, on stderr). */
export function examplesText(): string {
  return ['Examples:', ...pairs(EXAMPLES)].join('\n');
}

/** What --help prints after the flags. */
export function helpAfter(): string {
  const exits = EXIT_STATUS.map((e) => `${e.code} ${e.short}`).join(', ');
  return [
    '',
    examplesText(),
    '',
    ...wrap(`Exit codes: ${exits}.`),
    '',
    ...wrap(`Input: ${INPUT_RULES}`),
    '',
    ...wrap(`Environment: ${ENVIRONMENT.map((e) => e.name).join(', ')} (see man epmd-scan).`),
    '',
    'nmap and masscan habits:',
    ...habitLines().flatMap((h) => {
      const [first = '', ...rest] = wrap(h.answer, ' '.repeat(25));
      return [`  ${h.flags.padEnd(22)} ${first.trimStart()}`, ...rest];
    }),
    '',
    'Shell completion: epmd-scan completion bash|zsh|fish prints a script, e.g.',
    ...pairs(COMPLETION_LINES),
    "(a target named 'completion' goes after --: epmd-scan -- completion)",
  ].join('\n');
}
