// Sweeps in the lab: epmd-scan against nmap's epmd-info and against the C
// epoll loop (the machine's limit), on the same targets in one run.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLab, EPMD_IP, labAvailable, REFUSING, SILENT, SILENT_1K, SLASH8 } from './lab.js';
import { fmt, measure } from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/epmd-scan.js`;
const CLOOP = `${ROOT}.bench/connect-loop`;

function buildCLoop() {
  mkdirSync(`${ROOT}.bench`, { recursive: true });
  execFileSync('cc', ['-O2', '-o', CLOOP, `${ROOT}bench/c/connect-loop.c`]);
}

const ours = (targets, c, timeout) => [
  process.execPath,
  BIN,
  ...targets,
  '-p',
  '4369',
  '-c',
  String(c),
  '--connect-timeout',
  String(timeout),
  '--timeout',
  String(timeout),
  '-n',
];
const nmap = (targets) => [
  'nmap',
  '-Pn',
  '-n',
  '-T4',
  '-p',
  '4369',
  '--script',
  'epmd-info',
  ...targets,
];
const cloop = (range, c, timeout) => [
  CLOOP,
  range.first,
  String(range.count),
  '4369',
  String(c),
  String(timeout),
];

/** The counts epmd-scan's summary gives, e.g. "epmd 1, refused 65536". */
function counts(stderr) {
  const head = /^(done|interrupted): ([\d,]+) of/m.exec(stderr);
  const c = /^\s+(epmd \d+.*)$/m.exec(stderr)?.[1] ?? '?';
  return head?.[1] === 'interrupted' ? `interrupted after ${head[2]}: ${c}` : c;
}

export async function benchEngine({ withNmapMixed = true } = {}) {
  const why = labAvailable();
  if (why) return `### Scan engine\n\nSkipped: the lab ${why}.`;
  buildCLoop();
  const lab = createLab();
  const rows = [];
  const run = async (sweep, tool, argv) => {
    const r = await measure(lab.inScanner(argv), { timeoutMs: 1_800_000 });
    const note = tool.startsWith('epmd-scan')
      ? counts(r.stderr)
      : tool === 'C epoll loop'
        ? r.stdoutTail.trim()
        : '';
    rows.push({ sweep, tool, ...r, note });
    return r;
  };
  try {
    await lab.startEpmd(['rabbit', 'couchdb', 'ejabberd']);
    // 1. Refusing hosts.
    await run('65,536 refusing', 'epmd-scan', ours([REFUSING.cidr], 1024, 2000));
    await run('65,536 refusing', 'epmd-scan, one thread', [
      ...ours([REFUSING.cidr], 1024, 2000),
      '--workers',
      '0',
    ]);
    await run('65,536 refusing', 'C epoll loop', cloop(REFUSING, 1024, 2000));
    await run('65,536 refusing', 'nmap epmd-info', nmap([REFUSING.cidr]));
    // 2. Silent hosts: 10,000 in flight, 2 s timeouts.
    await run('65,536 silent', 'epmd-scan', ours([SILENT.cidr], 10000, 2000));
    await run('65,536 silent', 'C epoll loop', cloop(SILENT, 10000, 2000));
    // 3. The mixed sweep.
    const mixed = [REFUSING.cidr, SILENT_1K.cidr, EPMD_IP];
    await run(
      'mixed (65,536 refusing + 1,024 silent + 1 epmd)',
      'epmd-scan',
      ours(mixed, 10000, 2000),
    );
    if (withNmapMixed)
      await run('mixed (65,536 refusing + 1,024 silent + 1 epmd)', 'nmap epmd-info', nmap(mixed));
    // 4. Flat memory: the first 30 s of a /8, then Ctrl-C (SIGINT; exit 130, results written).
    const slash8 = [
      'timeout',
      '--foreground',
      '-s',
      'INT',
      '30',
      ...ours([SLASH8.cidr], 1024, 2000),
    ];
    await run('a /8 (refusing), first 30 s then SIGINT', 'epmd-scan', slash8);
  } finally {
    lab.teardown();
  }
  const base = (sweep, tool) => rows.find((r) => r.sweep === sweep && r.tool === tool);
  const lines = [
    '### Scan engine (lab: two network namespaces, veth; real epmd with 3 nodes)',
    '',
    '| sweep | tool | time (s) | peak RSS (MB) | vs C loop | vs nmap | result |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const c = base(r.sweep, 'C epoll loop');
    const n = base(r.sweep, 'nmap epmd-info');
    lines.push(
      `| ${r.sweep} | ${r.tool} | ${fmt(r.seconds)} | ${fmt(r.maxRssMB, 0)} | ${c ? `${fmt(r.seconds / c.seconds)}x` : ''} | ${n ? `${fmt(r.seconds / n.seconds)}x` : ''} | ${r.note} |`,
    );
  }
  return lines.join('\n');
}
