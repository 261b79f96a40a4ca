// What the command does besides scanning: `completion <shell>` (before argv
// is parsed, so no flag or target rule applies to it) and `--version`.

import type { Writable } from 'node:stream';
import { completionScript } from './completion.js';
import { flagTable, SHELLS, type Shell } from './flags.js';
import { packageVersion, program } from './program.js';
import { versionText } from './version.js';

/**
 * `epmd-scan completion <shell>`: writes the script and gives the exit code;
 * null when argv is not that (`epmd-scan -- completion` is a target).
 */
export function completionCommand(
  argv: string[],
  out: { stdout: Writable; stderr: Writable },
): number | null {
  if (argv[0] !== 'completion') return null;
  const shell = argv[1] as Shell;
  if (argv.length !== 2 || !SHELLS.includes(shell)) {
    out.stderr.write(
      `epmd-scan: usage: epmd-scan completion ${SHELLS.join('|')}\n` +
        "epmd-scan: hint: to scan a host named 'completion', write epmd-scan -- completion\n",
    );
    return 2;
  }
  out.stdout.write(completionScript(shell, flagTable(program(out))));
  return 0;
}

/** `--version [--verbose]`. */
export function printVersion(out: Writable, verbose: boolean, env?: NodeJS.ProcessEnv): number {
  out.write(versionText(packageVersion(), verbose, env));
  return 0;
}
