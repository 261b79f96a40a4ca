// The HTML report in a real browser (Debian's headless Chromium): the page of
// a scan of a real epmd is a verdict (the gate's result and why first, the
// changes, the scope, the severities, each fix once), its rows most severe
// first, its empty columns left out; its Content-Security-Policy lets its
// own style through and blocks a changed one; a node name made of markup is
// shown as text, never run. The screenshot is kept as a test artifact
// (test-artifacts/, not committed). Without Chromium the test skips
// with a message, except in CI (EPMD_SCAN_REQUIRE_REAL=1), where .ci/run
// installs it.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, header, rabbitEpmd } from '../helpers/fake-server.js';
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
      // The page's console (a CSP violation) on stderr.
      '--enable-logging=stderr',
      '--v=0',
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
  let known: FakeServer;
  let page: string;
  let dom: string;
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
    known = await rabbitEpmd();
    // Yesterday's report: one of today's exposures, and one since gone (its port refuses now).
    const baseline = join(dir, 'yesterday.csv');
    writeFileSync(
      baseline,
      `"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","nodes"
"2026-11-22 02:30:00","high","127.0.0.1","tcp",${known.port},,"epmd",,,,,,,,"rabbit,25672"
"2026-11-22 02:30:00","high","127.0.0.1","tcp",1,,"epmd",,,,,,,,"old,1"
`,
    );
    page = join(dir, 'report.html');
    const r = await runCli([
      '127.0.0.1',
      '-p',
      `${evil.port},${known.port},${erl.port},1`,
      '-n',
      '--check-dist',
      '--baseline',
      baseline,
      '--fail-on-exposed',
      '--html',
      page,
    ]);
    expect(r.code).toBe(1);
    const out = browse(['--dump-dom', `file://${page}`]);
    expect(out.status).toBe(0);
    dom = out.stdout;
  }, 60_000);
  afterAll(async () => {
    await evil?.close();
    await known?.close();
    await erl?.stop();
  });

  it('is a verdict: the gate tripped and why, then the changes, the scope, the severities and the fixes', () => {
    const at = (s: string): number => dom.indexOf(s);
    expect(dom).toMatch(
      /<p class="verdict tripped">Gate tripped \(exit 1\): new-exposure 2\.<\/p>/,
    );
    for (const [a, b] of [
      ['id="verdict"', 'id="changes"'],
      ['id="changes"', 'id="scope"'],
      ['id="scope"', 'id="severity"'],
      ['id="severity"', 'id="fixes"'],
      ['id="fixes"', 'id="exposures"'],
    ] as const) {
      expect(at(a)).toBeGreaterThan(-1);
      expect(at(a)).toBeLessThan(at(b));
    }
    expect(dom).toContain('The baseline held 2 exposures. New 2, gone 1, changed 0, allowed 0.');
    expect(dom).toContain('<li class="gone">gone <code>127.0.0.1:1</code> old</li>');
    expect(dom).toMatch(/<tr><th>ports<\/th><td>[\d, ]+<\/td><\/tr>/);
    expect(dom).toMatch(/<tr><th>ended<\/th><td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/td><\/tr>/);
    expect(dom).toContain('<tr><td>critical</td><td>1</td></tr><tr><td>high</td><td>2</td></tr>');
    // Each fix once, with the rows it is for.
    expect(dom.match(/firewall the EPMD port/g)).toHaveLength(1);
    expect(dom).toMatch(/firewall the EPMD port[^<]*<small>\(3 exposures\)<\/small>/);
  });

  it('lists the critical row first, then by address; leaves out the columns nothing filled', () => {
    const rows = [...dom.matchAll(/<tr><td><code>127\.0\.0\.1:(\d+)<\/code>/g)].map((m) =>
      Number(m[1]),
    );
    const highs = [evil.port, known.port].sort((a, b) => a - b);
    expect(rows).toEqual([erl.port, ...highs]);
    expect(dom).toMatch(
      new RegExp(
        `<code>127\\.0\\.0\\.1:${erl.port}</code>( <span[^>]*>\\w+</span>)?</td><td><b class="critical">critical</b>`,
      ),
    );
    const head = /<table id="exposures"><tbody><tr>(.*?)<\/tr>/.exec(dom)?.[1] ?? '';
    expect(head).toContain('<th>risks</th>');
    expect(head).not.toMatch(/hostname|where/);
    // The row against the baseline: the known one is not marked, the others are new.
    expect(dom).toMatch(
      new RegExp(`<code>127\\.0\\.0\\.1:${evil.port}</code> <span class="new">new</span>`),
    );
    expect(dom).toMatch(new RegExp(`<code>127\\.0\\.0\\.1:${known.port}</code></td>`));
    expect(dom).toMatch(/<code>rabbit:\d+<\/code>/);
  });

  it('its CSP lets its own style through, and blocks the same page with the style changed', () => {
    const ok = browse(['--dump-dom', `file://${page}`]);
    expect(ok.stderr).not.toMatch(/Content Security Policy/);
    const changed = join(dir, 'changed.html');
    writeFileSync(
      changed,
      readFileSync(page, 'utf8').replace('<style>body{', '<style>body{color:red;'),
    );
    const blocked = browse(['--dump-dom', `file://${changed}`]);
    expect(blocked.stderr).toMatch(
      /Applying inline style violates the following Content Security Policy directive/,
    );
  });

  it('shows a hostile node name as text: no element, no script is made from it; a screenshot is kept', () => {
    expect(dom).not.toMatch(/<img/i);
    expect(dom).not.toMatch(/<b>bold<\/b>/);
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;bold&lt;/b&gt;:9');
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'html-report.png');
    const r = browse(['--window-size=1280,1400', `--screenshot=${shot}`, `file://${page}`]);
    expect(r.status).toBe(0);
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });
});
