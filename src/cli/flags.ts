// The flag table of the command, read from the commander definition that
// parses argv and prints --help: the man page and the shell completions are
// made from it, so none of them can name a flag the others lack.

import type { Command } from 'commander';

/** One option as the man page and the completions need it. */
export interface Flag {
  /** Every spelling, short first: `-iL`, `--input-file`. */
  names: string[];
  /** `<file>`, `[seed]`, or '' for a switch. */
  value: string;
  /** True when the value is optional (`[seed]`). */
  optionalValue: boolean;
  description: string;
  /** The default shown by --help, if any. */
  defaultValue: string | null;
  /** The values it accepts, when they are a fixed list. */
  choices: readonly string[] | null;
  /** The value is a file name (completions offer files). */
  file: boolean;
}

/** The flags of `cmd` as --help lists them (commander's own -h, --help included). */
export function flagTable(cmd: Command): Flag[] {
  return cmd
    .createHelp()
    .visibleOptions(cmd)
    .map((o) => {
      const words = o.flags.split(/[ ,|]+/).filter((w) => w !== '');
      const value = words.find((w) => w.startsWith('<') || w.startsWith('[')) ?? '';
      const shown = o.defaultValueDescription ?? defaultText(o.defaultValue);
      return {
        names: words.filter((w) => w.startsWith('-')),
        value,
        optionalValue: value.startsWith('['),
        description: o.description,
        defaultValue: o.negate || shown === '' ? null : shown,
        choices: o.argChoices ?? null,
        file: /file|\.csv|\.mmdb/.test(value),
      };
    });
}

function defaultText(value: unknown): string {
  if (value === undefined || value === false) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The shells `epmd-scan completion <shell>` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];
