// nmap's and masscan's flags, as their users type them out of habit. Each
// gets an answer: taken as the epmd-scan flag of the same meaning, taken as
// what epmd-scan always does, or refused (exit 2) with a line naming what to
// write instead. Without this `-oX out.xml` would be read as `-o X` plus a
// target `out.xml`. --help, the man page and the README list this table.

import { UsageError } from '../errors.js';
import { shown } from '../text/escape.js';

/** How epmd-scan takes a habit. */
export type HabitKind = 'alias' | 'always' | 'refused';

export interface Habit {
  /** The flags as nmap or masscan spell them. */
  flags: readonly string[];
  /** The value they take, as nmap writes it ('' for none). */
  value: string;
  kind: HabitKind;
  /** For an alias: the epmd-scan flag it is read as. */
  as?: string;
  /** One line: what epmd-scan does instead, or why it is the same. */
  answer: string;
}

const TIMING = ['-T0', '-T1', '-T2', '-T3', '-T4', '-T5'] as const;

export const HABITS: readonly Habit[] = [
  {
    flags: ['-oX'],
    value: '<file>',
    kind: 'refused',
    answer:
      "nmap's XML is not written here: write -o <file> -f html (or csv, ndjson, table, sarif), or -oA <prefix> for the CSV, NDJSON, HTML and SARIF reports at once",
  },
  {
    flags: ['-oN'],
    value: '<file>',
    kind: 'refused',
    answer: 'for a report for people write -o <file> -f table (or -f html)',
  },
  {
    flags: ['-oG'],
    value: '<file>',
    kind: 'refused',
    answer: 'for a line per exposure to grep write -o <file> -f csv',
  },
  {
    flags: ['-oJ'],
    value: '<file>',
    kind: 'refused',
    answer: "for masscan's JSON write -o <file> -f ndjson (one JSON object a line)",
  },
  {
    flags: ['-oL'],
    value: '<file>',
    kind: 'refused',
    answer:
      "for masscan's list write -o <file> -f csv; the targets a run would probe are --list-targets",
  },
  {
    flags: ['-sS'],
    value: '',
    kind: 'refused',
    answer:
      'epmd-scan completes each connection (it must send the NAMES request); for a SYN sweep pipe zmap or masscan in: zmap -p 4369 -q <range> | epmd-scan -iL -',
  },
  {
    flags: ['-sV'],
    value: '',
    kind: 'refused',
    answer:
      "the NAMES request is the version probe here; add --node-info for the nodes' types and versions, --handshake for their full names and flags",
  },
  {
    flags: TIMING,
    value: '',
    kind: 'refused',
    answer:
      'no timing templates: set -c <probes in flight> (default 1024), --rate <connections a second> (default unlimited) and --timeout <ms> (default 5000)',
  },
  {
    flags: ['--host-timeout'],
    value: '<time>',
    kind: 'refused',
    answer:
      'use --timeout <ms> (the whole probe of one target, default 5000) and --follow-up-timeout <ms> (its follow-ups)',
  },
  {
    flags: ['-Pn'],
    value: '',
    kind: 'always',
    answer: 'taken: epmd-scan never pings first, every target is probed',
  },
  {
    flags: ['-sT'],
    value: '',
    kind: 'always',
    answer: 'taken: epmd-scan makes full TCP connections',
  },
  {
    flags: ['--open'],
    value: '',
    kind: 'always',
    answer: 'taken: reports list exposed EPMDs only (-f ndjson --all lists every target)',
  },
  {
    flags: ['--max-rate'],
    value: '<n>',
    kind: 'alias',
    as: '--rate',
    answer: 'read as --rate <n>: new connections a second at most',
  },
  {
    flags: ['--excludefile'],
    value: '<file>',
    kind: 'alias',
    as: '--exclude-file',
    answer: 'read as --exclude-file <file>',
  },
  {
    flags: ['--ports'],
    value: '<ports>',
    kind: 'alias',
    as: '--port',
    answer: "read as -p <ports> (masscan's name)",
  },
  {
    flags: ['--max-retries'],
    value: '<n>',
    kind: 'alias',
    as: '--retries',
    answer: 'read as --retries <n>: extra tries after a connect timeout',
  },
];

/** nmap's timing flag in any of its forms: -T4, -Tinsane, -T alone (its value next). */
const TIMING_FORM = /^-T(?:[0-5]|paranoid|sneaky|polite|normal|aggressive|insane)?$/;

/** The habit `arg` is (with its value attached, as `-oXfile`, `--max-rate=5`), or null. */
function habitOf(arg: string): { habit: Habit; flag: string; attached: string | null } | null {
  if (TIMING_FORM.test(arg)) {
    return { habit: HABITS.find((h) => h.flags === TIMING) as Habit, flag: arg, attached: null };
  }
  for (const habit of HABITS) {
    for (const flag of habit.flags) {
      if (arg === flag) return { habit, flag, attached: null };
      if (habit.value === '' || !arg.startsWith(flag)) continue;
      // nmap's -oXfile and --max-rate=5; a long flag needs the '='.
      const rest = arg.slice(flag.length);
      if (flag.startsWith('--') && !rest.startsWith('=')) continue;
      return { habit, flag, attached: rest.replace(/^=/, '') };
    }
  }
  return null;
}

/**
 * argv with each habit taken (an alias renamed, an `always` dropped), or a
 * UsageError naming the first refused one and what to write instead.
 * `takesValue`: the flags whose next word is their value, which is skipped.
 */
export function takeHabits(
  argv: readonly string[],
  takesValue: (arg: string) => boolean,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const found = habitOf(arg);
    if (!found) {
      out.push(arg);
      if (takesValue(arg) && i + 1 < argv.length) out.push(argv[++i] as string);
      continue;
    }
    const { habit, flag, attached } = found;
    if (habit.kind === 'refused') {
      const given = attached ? ` (in '${shown(arg)}')` : '';
      throw new UsageError(
        `${flag}${given} is an nmap/masscan flag that epmd-scan does not take`,
        habit.answer,
      );
    }
    if (habit.kind === 'always') continue;
    out.push(attached === null ? (habit.as as string) : `${habit.as}=${attached}`);
  }
  return out;
}

/** The table as text for --help and the man page: a line per habit. */
export function habitLines(): { flags: string; answer: string }[] {
  return HABITS.map((h) => ({
    flags: `${h.flags.length > 2 ? `${h.flags[0]}..${h.flags.at(-1)}` : h.flags.join(', ')}${h.value ? ` ${h.value}` : ''}`,
    answer: `${h.kind === 'refused' ? 'refused (exit 2): ' : ''}${h.answer}`,
  }));
}
