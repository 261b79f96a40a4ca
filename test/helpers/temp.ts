// Temp folders of a test's own: one base per file (mkdtemp), a fresh
// numbered folder inside it per case.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempFolders(prefix: string): { base: string; fresh: () => string } {
  const base = mkdtempSync(join(tmpdir(), `epmd-scan-${prefix}-`));
  let n = 0;
  return {
    base,
    fresh: () => {
      const d = join(base, `${n++}`);
      mkdirSync(d);
      return d;
    },
  };
}
