// The library as a user imports it: `import ... from 'epmd-scan'`, resolved
// through package.json's name and exports map (a package may import itself by
// name), so the built dist/index.js is what is loaded, exactly as from an
// installed copy. Every name the README's "Library" section documents must be
// there, and its code example must run.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, rabbitEpmd } from '../helpers/fake-server.js';
import { ROOT } from '../helpers/pack.js';
import { freePort } from '../helpers/real-epmd.js';

const run = promisify(execFile);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's "## Library" section. */
function librarySection(): string {
  const start = README.indexOf('\n## Library\n');
  const end = README.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0) throw new Error('README has no "## Library" section');
  return README.slice(start, end);
}

/** The section's ```ts example. */
function example(): string {
  const block = /```ts\n([\s\S]*?)```/.exec(librarySection());
  if (!block?.[1]) throw new Error('README "Library" has no ```ts example');
  return block[1];
}

/**
 * The names the section documents: those its example imports, the calls it
 * describes (`scan()`), and every name in its "Also exported" paragraph.
 */
function documentedNames(): string[] {
  const section = librarySection();
  const names = new Set<string>();
  for (const m of example().matchAll(/import\s*\{([^}]*)\}\s*from\s*'epmd-scan'/g)) {
    for (const n of (m[1] ?? '').split(',')) if (n.trim()) names.add(n.trim());
  }
  for (const m of section.matchAll(/`([A-Za-z_$][\w$]*)\(\)`/g)) names.add(m[1] as string);
  const also = section.slice(section.indexOf('Also exported'));
  const paragraph = also.slice(0, also.indexOf('\n\n'));
  for (const m of paragraph.matchAll(/`([A-Za-z_$][\w$]*)(?:\([^`]*\))?`/g)) {
    names.add(m[1] as string);
  }
  return [...names];
}

/** Runs ESM `code` with node from the package's root, where 'epmd-scan' is this package. */
async function node(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
    cwd: ROOT,
    timeout: 20_000,
  });
  return stdout;
}

/** The type names test/public-api.types.ts re-exports from 'epmd-scan' (tsc checks that file). */
function checkedTypeNames(): string[] {
  const text = readFileSync(join(ROOT, 'test/public-api.types.ts'), 'utf8');
  const m = /export type \{([^}]*)\} from 'epmd-scan'/.exec(text);
  return (m?.[1] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

let epmd: FakeServer;
beforeAll(async () => {
  epmd = await rabbitEpmd();
});
afterAll(() => epmd.close());

describe("import from 'epmd-scan'", () => {
  it('gives every name the README documents (values at run time, types to tsc)', async () => {
    const documented = documentedNames();
    // What the README names: the enricher that was once missing among them.
    expect(documented).toEqual(
      expect.arrayContaining(['scan', 'scanPositioned', 'openEnricher', 'ScanRecord']),
    );
    const runtime = JSON.parse(
      await node("console.log(JSON.stringify(Object.keys(await import('epmd-scan'))))"),
    ) as string[];
    const types = checkedTypeNames();
    const missing = documented.filter((n) => !runtime.includes(n) && !types.includes(n));
    expect(missing).toEqual([]);
  });

  it('is small: no internals (pools, batches, checkpoint writers, the CLI)', async () => {
    const runtime = JSON.parse(
      await node("console.log(JSON.stringify(Object.keys(await import('epmd-scan'))))"),
    ) as string[];
    for (const internal of ['Batches', 'LowWater', 'runPool', 'writeCheckpoint', 'runCli']) {
      expect(runtime).not.toContain(internal);
    }
    // Every runtime export is one the README names.
    const documented = documentedNames();
    expect(runtime.filter((n) => !documented.includes(n))).toEqual([]);
  });

  it("runs the README's example against a fake EPMD on loopback", async () => {
    const code = example();
    expect(code).toContain("'192.0.2.0/24'");
    expect(code).toContain('[4369]');
    const stdout = await node(
      code.replace("'192.0.2.0/24'", "'127.0.0.1'").replace('[4369]', `[${epmd.port}]`),
    );
    expect(stdout).toMatch(/^127\.0\.0\.1 /);
    expect(stdout).toMatch(/name: 'rabbit', port: 25672/);
  });

  it('prints nothing for a closed port', async () => {
    const closed = await freePort();
    const stdout = await node(
      example().replace("'192.0.2.0/24'", "'127.0.0.1'").replace('[4369]', `[${closed}]`),
    );
    expect(stdout).toBe('');
  });
});
