// The layer rules of .dependency-cruiser.cjs, which npm test runs over src/:
// a small tree that keeps them passes, and each wrong arrow (an import cycle,
// an import of cli/, net/ reading EPMD replies, the scan importing report/,
// a folder with no allow-list, v8 outside runtime/) makes depcruise exit
// non-zero, naming the rule. Every folder of the real src/ has an allow-list,
// and only src/runtime/ calls process.binding.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/pack.js';

const run = promisify(execFile);
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** A tree that keeps every rule: cli -> scan -> probes -> net and epmd. */
const GOOD: Record<string, string> = {
  'src/epmd/codec.ts': 'export const request = (): number[] => [0, 1, 110];\n',
  'src/net/socket.ts': 'export const send = (bytes: number[]): number => bytes.length;\n',
  'src/probes/names.ts':
    "import { request } from '../epmd/codec.js';\nimport { send } from '../net/socket.js';\nexport const probe = (): number => send(request());\n",
  'src/report/summary.ts': 'export const summary = (n: number): string => String(n);\n',
  'src/scan/scan.ts':
    "import { probe } from '../probes/names.js';\nexport const scan = (): number => probe();\n",
  'src/cli/main.ts':
    "import { summary } from '../report/summary.js';\nimport { scan } from '../scan/scan.js';\nexport const main = (): string => summary(scan());\n",
};

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** Writes the tree (GOOD with `change` applied) and runs depcruise over its src/. */
async function cruise(change: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  dir = mkdtempSync(join(tmpdir(), 'epmd-scan-layers-'));
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true },
      include: ['src'],
    }),
    ...GOOD,
    ...change,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  try {
    const { stdout } = await run(DEPCRUISE, ['--config', CONFIG, 'src'], { cwd: dir });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('the layer rules (npm test runs them over src/)', () => {
  it('pass a tree whose arrows point one way', async () => {
    const r = await cruise();
    expect(r.out).toMatch(/no dependency violations/);
    expect(r.code).toBe(0);
  });

  it.each([
    [
      'no-circular',
      {
        'src/net/socket.ts':
          "import { probe } from '../probes/names.js';\nexport const send = (bytes: number[]): number => bytes.length + probe();\n",
      },
    ],
    [
      'report-imports-only-its-allow-list',
      {
        'src/report/summary.ts':
          "import { main } from '../cli/main.js';\nexport const summary = (n: number): string => String(n) + typeof main;\n",
      },
    ],
    [
      'net-imports-only-its-allow-list',
      {
        'src/net/socket.ts':
          "import { request } from '../epmd/codec.js';\nexport const send = (bytes: number[]): number => bytes.length + request().length;\n",
      },
    ],
    [
      'scan-imports-only-its-allow-list',
      {
        'src/scan/scan.ts':
          "import { probe } from '../probes/names.js';\nimport { summary } from '../report/summary.js';\nexport const scan = (): number => summary(probe()).length;\n",
      },
    ],
    [
      'no-folder-outside-the-allow-list',
      {
        'src/extra/helper.ts':
          "import { summary } from '../report/summary.js';\nexport const helper = (): string => summary(1);\n",
      },
    ],
    [
      'only-runtime-touches-node-internals',
      {
        'src/net/socket.ts':
          "import v8 from 'node:v8';\nexport const send = (bytes: number[]): number => bytes.length + v8.getHeapStatistics().used_heap_size;\n",
      },
    ],
  ])('fail on a wrong arrow: %s', async (rule, change) => {
    const r = await cruise(change);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(`error ${rule}:`);
  });
});

describe('the real src/', () => {
  const config = createRequire(import.meta.url)(CONFIG) as {
    layers: { folders: Record<string, string[]>; loose: Record<string, string[]> };
  };

  it('has an allow-list for every folder, and at most 4 files loose', () => {
    const entries = readdirSync(join(ROOT, 'src'), { withFileTypes: true });
    const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !(f in config.layers.folders))).toEqual([]);
    const loose = entries.filter((e) => e.isFile()).map((e) => e.name);
    expect(loose.length).toBeLessThanOrEqual(4);
    expect(loose).toContain('index.ts');
  });

  it('calls process.binding only in src/runtime/', () => {
    /** `process` out of `(process as unknown as X)` and the like. */
    const bare = (node: ts.Expression): ts.Expression =>
      ts.isParenthesizedExpression(node) || ts.isAsExpression(node) ? bare(node.expression) : node;
    const places: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (path.endsWith('.ts')) {
          const file = ts.createSourceFile(
            path,
            readFileSync(path, 'utf8'),
            ts.ScriptTarget.Latest,
          );
          const visit = (node: ts.Node): void => {
            if (
              ts.isPropertyAccessExpression(node) &&
              bare(node.expression).getText(file) === 'process' &&
              ['binding', '_linkedBinding'].includes(node.name.text)
            ) {
              places.push(relative(ROOT, path));
            }
            ts.forEachChild(node, visit);
          };
          visit(file);
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(places.length).toBeGreaterThan(0);
    expect(places.filter((p) => !p.startsWith('src/runtime/'))).toEqual([]);
  });
});
