// The package as users get it: packed, then installed from the tarball into a
// prefix of its own with lifecycle scripts disabled (scripts/install-tarball.sh,
// the Dockerfile's and the action's install step).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

export interface Packed {
  /** The tarball's path. */
  file: string;
  /** Its size in bytes. */
  size: number;
  /** The paths inside it, relative to the package root. */
  files: string[];
}

/**
 * `npm pack` of the built tree into `dir`. The build is npm test's first step
 * (prepack runs it too; here it is skipped so that no test rewrites dist/
 * while other test files run from it).
 */
export async function pack(dir: string): Promise<Packed> {
  if (!existsSync(join(ROOT, 'dist/man/epmd-scan.1'))) {
    throw new Error('dist/ is not built: run npm run build (npm test does) first');
  }
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
    { cwd: ROOT, env: { ...process.env, npm_config_loglevel: 'error' } },
  );
  const [info] = JSON.parse(stdout) as {
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  if (!info) throw new Error(`npm pack said nothing: ${stdout}`);
  return {
    file: join(dir, info.filename),
    size: info.size,
    files: info.files.map((f) => f.path),
  };
}

/** Installs `tgz` into `prefix` exactly as the Dockerfile does (its bin is `<prefix>/bin`). */
export async function installTarball(tgz: string, prefix: string): Promise<void> {
  await run('sh', [join(ROOT, 'scripts/install-tarball.sh'), tgz, prefix], {
    cwd: dirname(tgz),
    env: { ...process.env, npm_config_loglevel: 'error' },
    timeout: 240_000,
  });
}
