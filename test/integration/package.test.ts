// The package as a user installs it: npm pack, then a global install of the
// tarball into an empty prefix with lifecycle scripts disabled; the installed
// command, its man page and its completion are run from that prefix.

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_EPMD_COLUMNS } from '../../src/output/csv.js';
import { type FakeServer, rabbitEpmd } from '../helpers/fake-server.js';
import { installTarball, type Packed, pack, ROOT } from '../helpers/pack.js';
import { freePort } from '../helpers/real-epmd.js';
import { toolOrSkip } from '../helpers/tools.js';

const run = promisify(execFile);
const HEADER = SCAN_EPMD_COLUMNS.map((c) => `"${c}"`).join(',');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const MAN = toolOrSkip('man', 'man-db', 'the man page test');

let dir: string;
let prefix: string;
let packed: Packed;
let epmd: FakeServer;
const bin = (): string => join(prefix, 'bin', 'epmd-scan');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'epmd-scan-pack-'));
  prefix = join(dir, 'prefix');
  packed = await pack(dir);
  console.log(
    `npm pack: ${packed.file.split('/').pop()}, ${(packed.size / 1000).toFixed(1)} kB, ${packed.files.length} files`,
  );
  await installTarball(packed.file, prefix);
  epmd = await rabbitEpmd();
}, 300_000);
afterAll(async () => {
  await epmd?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds the build, bin, man page, README and LICENSE', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/epmd-scan.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/scan/scan-worker.js',
      'dist/cli/entry.bundle.js',
      'dist/scan/scan-worker.bundle.js',
      'dist/bundled-packages.txt',
      'dist/man/epmd-scan.1',
    ]) {
      expect(packed.files).toContain(f);
    }
  });
  it('holds nothing a user does not need: no sources, tests, maps or repo files', () => {
    const extra = packed.files.filter(
      (f) =>
        !/^(package\.json|README\.md|LICENSE|bin\/epmd-scan\.js)$/.test(f) &&
        !/^dist\/.*\.(js|d\.ts)$/.test(f) &&
        f !== 'dist/man/epmd-scan.1' &&
        f !== 'dist/bundled-packages.txt' &&
        f !== 'schema/record.schema.json',
    );
    expect(extra).toEqual([]);
    expect(packed.files.some((f) => f.endsWith('.map'))).toBe(false);
  });
  it('ships the licence of every package whose code its bundles hold', () => {
    const licences = readFileSync(join(ROOT, 'dist/bundled-packages.txt'), 'utf8');
    for (const bundle of ['dist/cli/entry.bundle.js', 'dist/scan/scan-worker.bundle.js']) {
      const code = readFileSync(join(ROOT, bundle), 'utf8');
      // esbuild marks each bundled file with a comment naming its path.
      const names = new Set(
        [...code.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]),
      );
      // The command's parser at least; the worker's may hold none.
      if (bundle.startsWith('dist/cli/')) expect(names.has('commander')).toBe(true);
      for (const name of names) {
        const dir = join(ROOT, 'node_modules', name as string);
        const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        expect(licences).toContain(`${name} ${version} (${license})`);
        const file = readdirSync(dir).find((f) => /^licen[sc]e(\.(md|txt))?$/i.test(f));
        expect(licences).toContain(readFileSync(join(dir, file as string), 'utf8').trim());
      }
    }
    // Loaded only when asked for, they stay packages: not in the bundle.
    const command = readFileSync(join(ROOT, 'dist/cli/entry.bundle.js'), 'utf8');
    expect(command).not.toMatch(/^\/\/ node_modules\/(maxmind|prom-client)\//m);
    expect(command).toMatch(/import\("prom-client"\)/);
    expect(command).toMatch(/import\("maxmind"\)/);
    // So are Node's modules that only --metrics and -S use.
    expect(command).not.toMatch(/^import [^;]* from "node:(http|dgram)"/m);
    expect(command).toMatch(/import\("node:http"\)/);
  });
  it('says where the project lives, and which Node it needs', () => {
    expect(pkg.repository.url).toMatch(/github\.com\/epmd-scan\/epmd-scan/);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs.url).toMatch(/\/issues$/);
    expect(pkg.engines.node).toBe('>=20.19');
    expect(pkg.man).toEqual(['./dist/man/epmd-scan.1']);
    // Built when packed; a clone builds on npm ci; nothing runs at install.
    expect(pkg.scripts.prepack).toMatch(/npm run build$/);
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.postinstall).toBeUndefined();
    expect(pkg.scripts.install).toBeUndefined();
    // The build tool's install script is not needed (README: Development).
    expect(pkg.allowScripts).toEqual({ esbuild: false });
  });
});

describe('installed from the tarball with --ignore-scripts', () => {
  it('--version prints the version, --verbose the runtime', async () => {
    const { stdout } = await run(bin(), ['--version']);
    expect(stdout).toBe(`${pkg.version}\n`);
    const verbose = await run(bin(), ['--version', '--verbose']);
    const lines = verbose.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(pkg.version);
    expect(lines[1]).toBe(`node: ${process.version}`);
  });
  it('scans loopback: the CSV header, and a row for an exposed EPMD', async () => {
    const closed = await freePort();
    const none = await run(bin(), ['127.0.0.1', '-p', String(closed)]);
    expect(none.stdout).toBe(`${HEADER}\n`);
    const found = await run(bin(), ['127.0.0.1', '-p', String(epmd.port), '-n']);
    const rows = found.stdout.trimEnd().split('\n');
    expect(rows[0]).toBe(HEADER);
    expect(rows[1]).toMatch(/"127\.0\.0\.1","tcp",\d+,,"epmd",.*"rabbit,25672"$/);
  });
  it("imports as a library: import { openEnricher, scan } from 'epmd-scan'", async () => {
    // A module beside the global node_modules resolves the package as a user's would.
    const script = join(prefix, 'lib', 'uses-epmd-scan.mjs');
    writeFileSync(
      script,
      [
        "import { namesDetail, openEnricher, scan, parseNamesReply } from 'epmd-scan';",
        'const enricher = await openEnricher();',
        `const targets = ['127.0.0.1'], ports = [${epmd.port}];`,
        'for await (const r of scan({ targets, ports, enrich: enricher.enrich })) {',
        '  const nodes = namesDetail(r).nodes.map((n) => n.name).join();',
        '  console.log(r.status, r.exposed, nodes, typeof parseNamesReply);',
        '}',
        'await enricher.close();',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, [script]);
    expect(stdout).toBe('epmd true rabbit function\n');
  });
  it('prints its bash completion', async () => {
    const { stdout } = await run(bin(), ['completion', 'bash']);
    expect(stdout).toMatch(/complete -o default -F _epmd_scan epmd-scan/);
  });
  it.skipIf(!MAN)('man -M <prefix>/share/man epmd-scan shows the page', async () => {
    const { stdout } = await run('man', ['-M', join(prefix, 'share', 'man'), 'epmd-scan'], {
      env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' },
    });
    expect(stdout).toMatch(/^EPMD-SCAN\(1\)/);
    expect(stdout).toMatch(/--connect-timeout <ms>/);
    expect(stdout).toMatch(new RegExp(`epmd-scan ${pkg.version.replace(/\./g, '\\.')}`));
  });
});

describe('the Dockerfile (its build is not run here: no Docker engine)', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  it('installs the packed tarball with the install script this test runs, as a non-root user', () => {
    expect(dockerfile).toMatch(/^FROM node:20-slim AS pack$/m);
    expect(dockerfile).toMatch(/^RUN npm pack --pack-destination \/tmp /m);
    expect(dockerfile).toMatch(/^RUN sh \/tmp\/install-tarball\.sh \/tmp\/epmd-scan\.tgz/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["epmd-scan"\]$/m);
  });
});
