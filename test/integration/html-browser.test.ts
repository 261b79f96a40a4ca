// The HTML report in a real browser (Debian's headless Chromium): the page of
// a scan of a real epmd renders its exposures table, and a node name made of
// markup is shown as text, never run. The screenshot is kept as a test
// artifact (test-artifacts/, not committed). Without Chromium the test skips
// with a message, except in CI (EPMD_SCAN_REQUIRE_REAL=1), where .ci/run
// installs it.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, header } from '../helpers/fake-server.js';
import { REQUIRE_REAL, type RealEpmd, realPeersOrSkip, startEpmd } from '../helpers/real-epmd.js';

function chromium(): string | null {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
    } catch {
      // not this one
    }
  }
  return null;
}

const CHROMIUM = chromium();
if (!CHROMIUM && REQUIRE_REAL) {
  throw new Error('EPMD_SCAN_REQUIRE_REAL=1 but chromium is missing: apt-get install chromium');
}
if (!CHROMIUM) console.warn('SKIPPED the HTML report in a browser: chromium not found');
const real = realPeersOrSkip();

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-html-'));

/** Headless Chromium, cut off from every network (the page must need none). */
function browse(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const profile = mkdtempSync(join(dir, 'profile-'));
  const r = spawnSync(
    CHROMIUM as string,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe.runIf(CHROMIUM && real)('the HTML report in headless Chromium', () => {
  let erl: RealEpmd;
  let evil: FakeServer;
  let page: string;
  beforeAll(async () => {
    erl = await startEpmd();
    await erl.startNode('rabbit');
    evil = await fakeServer(async (socket, request) => {
      await request;
      socket.end(
        Buffer.concat([
          header(4369),
          Buffer.from('name <img src=x onerror=alert(1)><b>bold</b> at port 9\n'),
        ]),
      );
    });
    page = join(dir, 'report.html');
    const r = await runCli([
      '127.0.0.1',
      '-p',
      `${erl.port},${evil.port}`,
      '-n',
      '--check-dist',
      '--html',
      page,
    ]);
    expect(r.code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await evil?.close();
    await erl?.stop();
  });

  it('renders the exposures table of a real epmd; a screenshot is kept', () => {
    const dom = browse(['--dump-dom', `file://${page}`]);
    expect(dom.status).toBe(0);
    // The DOM after rendering: the table, a row per exposure, the real node.
    expect(dom.stdout).toContain('<table id="exposures">');
    expect(dom.stdout.match(/<tr><td><code>/g)).toHaveLength(2);
    expect(dom.stdout).toContain(`127.0.0.1:${erl.port}`);
    expect(dom.stdout).toMatch(/<code>rabbit:\d+<\/code>/);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'html-report.png');
    const r = browse(['--window-size=1280,900', `--screenshot=${shot}`, `file://${page}`]);
    expect(r.status).toBe(0);
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it('shows a hostile node name as text: no element, no script is made from it', () => {
    const dom = browse(['--dump-dom', `file://${page}`]).stdout;
    expect(dom).not.toMatch(/<img/i);
    expect(dom).not.toMatch(/<b>bold<\/b>/);
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;bold&lt;/b&gt;:9');
  });
});
