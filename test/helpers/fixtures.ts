// MaxMind's official test databases live in ../shared (CI has them). They are
// read from there, never copied into the project.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MMDB_DIR = fileURLToPath(new URL('../../../shared/fixtures/mmdb/', import.meta.url));
export const HAVE_MMDB = existsSync(`${MMDB_DIR}GeoLite2-City-Test.mmdb`);

export function mmdbOrSkip(): boolean {
  if (HAVE_MMDB) return true;
  if (process.env.EPMD_SCAN_REQUIRE_REAL === '1') {
    throw new Error(
      `EPMD_SCAN_REQUIRE_REAL=1 but the MaxMind test databases are missing from ${MMDB_DIR}`,
    );
  }
  console.warn(
    `SKIPPED MaxMind database tests: no test databases in ${MMDB_DIR} (../shared/fixtures/mmdb)`,
  );
  return false;
}

export const mmdb = (name: string): string => `${MMDB_DIR}${name}`;
