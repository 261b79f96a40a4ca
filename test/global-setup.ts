// Vitest's global setup: before any test file runs, rebuild dist/ if src/ has
// changed since it was built (npm test builds first anyway; a bare
// `npx vitest` or `npx vitest run test/...` would otherwise run the bin and the
// scan worker from a stale dist/).

import { fileURLToPath } from 'node:url';
import { buildIfStale } from './helpers/build.js';

export default function setup(): void {
  if (buildIfStale(fileURLToPath(new URL('..', import.meta.url)))) {
    process.stderr.write('test/global-setup: dist/ was older than src/: rebuilt it\n');
  }
}
