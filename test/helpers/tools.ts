// Commands some tests drive (man, zsh, fish): a test without one skips with a
// message, unless EPMD_SCAN_REQUIRE_REAL=1 (CI installs them), where it fails.

import { execFileSync } from 'node:child_process';
import { REQUIRE_REAL } from './real-epmd.js';

/** The command's path, or null (with a skip message, or a failure in CI). */
export function toolOrSkip(cmd: string, apt: string, what: string): string | null {
  let path: string | null = null;
  try {
    path = execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    path = null;
  }
  if (path) return path;
  if (REQUIRE_REAL) {
    throw new Error(`EPMD_SCAN_REQUIRE_REAL=1 but ${cmd} is missing: apt-get install ${apt}`);
  }
  console.warn(`SKIPPED ${what}: ${cmd} not found (apt-get install ${apt}; CI requires it)`);
  return null;
}
