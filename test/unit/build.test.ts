import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isStale } from '../helpers/build.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A src/ with one nested file changed at `srcAt` and a dist file built at `builtAt` (s). */
function tree(srcAt: number, builtAt: number | null): void {
  dir = mkdtempSync(join(tmpdir(), 'epmd-scan-build-'));
  mkdirSync(join(dir, 'src/net'), { recursive: true });
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'src/scan.ts'), '');
  writeFileSync(join(dir, 'src/net/probe.ts'), '');
  utimesSync(join(dir, 'src/scan.ts'), 1000, 1000);
  utimesSync(join(dir, 'src/net/probe.ts'), srcAt, srcAt);
  if (builtAt !== null) {
    writeFileSync(join(dir, 'dist/scan-worker.js'), '');
    utimesSync(join(dir, 'dist/scan-worker.js'), builtAt, builtAt);
  }
}

describe('the global setup rebuilds a stale dist/ (so tests never run an old worker)', () => {
  it('a source file changed after the build (even a nested one) makes dist/ stale', () => {
    tree(3000, 2000);
    expect(isStale(join(dir, 'src'), join(dir, 'dist/scan-worker.js'))).toBe(true);
  });
  it('a build after every change is current', () => {
    tree(3000, 4000);
    expect(isStale(join(dir, 'src'), join(dir, 'dist/scan-worker.js'))).toBe(false);
  });
  it('a missing build is stale', () => {
    tree(3000, null);
    expect(isStale(join(dir, 'src'), join(dir, 'dist/scan-worker.js'))).toBe(true);
  });
});
