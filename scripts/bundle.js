// npm run build, after tsc: the command and its scan worker as one file each.
//
// Node's module loader costs per file: the command loaded about 120 (ours
// and its packages') before its first probe, 0.27 s and 59 MB for a
// one-address scan, and each scan worker about 60 more. Bundled, a
// one-address scan takes 0.19 s and 51 MB, and a worker starts sooner. The
// library (dist/index.js) stays as modules: a program that imports it
// shares one registry of probe kinds with the kinds it registers.
//
// maxmind and prom-client stay packages: they are loaded only when asked for
// (--mmdb, --metrics). The packages bundled are listed, with their licences,
// in dist/bundled-packages.txt.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const LAZY = ['maxmind', 'prom-client'];

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: LAZY,
  // CommonJS packages (commander) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
};

const outputs = [
  {
    entryPoints: [`${root}dist/cli/entry.js`],
    outfile: `${root}dist/cli/entry.bundle.js`,
    // parallel.ts starts this worker file instead of dist/scan/scan-worker.js.
    define: { EPMD_SCAN_WORKER_BUNDLE: JSON.stringify('../scan/scan-worker.bundle.js') },
  },
  {
    entryPoints: [`${root}dist/scan/scan-worker.js`],
    outfile: `${root}dist/scan/scan-worker.bundle.js`,
  },
];

const packages = new Map();
for (const options of outputs) {
  const result = await build({ ...common, ...options });
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.set(m[1], `${root}node_modules/${m[1]}`);
  }
}

/** A package's licence text: its LICENSE file, whatever the case and extension. */
function licenceText(dir) {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  for (const name of ['LICENSE', 'license', 'LICENSE.md', 'license.md', 'LICENSE.txt', 'LICENCE']) {
    try {
      return { pkg, text: readFileSync(`${dir}/${name}`, 'utf8').trim() };
    } catch {
      // the next name
    }
  }
  throw new Error(`bundle: ${pkg.name} has no LICENSE file to ship with its bundled code`);
}

const parts = [...packages.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const { pkg, text } = licenceText(dir);
    return `${name} ${pkg.version} (${pkg.license})\n\n${text}\n`;
  });
writeFileSync(
  `${root}dist/bundled-packages.txt`,
  `Packages bundled into dist/cli/entry.bundle.js and dist/scan/scan-worker.bundle.js, with their licences.\n\n${parts.join('\n---\n\n')}`,
);
