// The process's open-file limit (Node raises the soft limit to the hard one
// at start-up; /proc shows the raised one). Every socket is a descriptor, so
// the scan's descriptor budget is sized from it.

import { readFileSync } from 'node:fs';

/** The soft RLIMIT_NOFILE from /proc (Linux); null where it cannot be read or is unlimited. */
export function openFileLimit(): number | null {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!m || m[1] === 'unlimited') return null;
    return Number(m[1]);
  } catch {
    return null;
  }
}
