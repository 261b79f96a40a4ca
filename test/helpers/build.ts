// Tests run the built package where they must (the bin, worker threads: a
// Worker cannot load TypeScript), so dist/ must never be older than src/:
// test/global-setup.ts rebuilds it first when it is, so a bare `npx vitest`
// cannot test yesterday's worker.

import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of any file below `dir`, in ms (0 when there is none). */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Whether `built` is missing or older than some file below `srcDir`. */
export function isStale(srcDir: string, built: string): boolean {
  let builtAt: number;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return true;
  }
  return newestMtime(srcDir) > builtAt;
}

/** Runs `npm run build` in `root` when its dist/ is older than its src/; says whether it did. */
export function buildIfStale(root: string): boolean {
  const built = [
    'dist/scan/scan-worker.js',
    'dist/index.js',
    'dist/cli/main.js',
    'dist/cli/entry.bundle.js',
    'dist/scan/scan-worker.bundle.js',
  ];
  if (!built.some((f) => isStale(join(root, 'src'), join(root, f)))) return false;
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return true;
}
