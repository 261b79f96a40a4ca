// The benchmark's own lab, in two network namespaces it creates and removes:
// a scanner namespace and a target namespace joined by a veth pair, as users
// deploy a scanner (the target's kernel answers across a link). In the target
// namespace a /16 answers every SYN with RST (a local route), a /16 drops
// every SYN (iptables there), a real epmd with real nodes listens on three
// addresses of a /24 whose other addresses refuse, and a /20 can hold a farm
// of fake EPMDs (peers/epmd-farm.js). The scanner namespace has a second
// address for zmap, whose packets the scanner's kernel must not answer: its
// RSTs are dropped there. No packet leaves the two namespaces.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REFUSING = { first: '10.99.0.0', cidr: '10.99.0.0/16', count: 65536 };
export const SILENT = { first: '10.98.0.0', cidr: '10.98.0.0/16', count: 65536 };
export const SILENT_1K = { first: '10.98.0.0', cidr: '10.98.0.0/22', count: 1024 };
export const SILENT_18 = { first: '10.98.0.0', cidr: '10.98.0.0/18', count: 16384 };
/** The real epmd's addresses, in a /24 whose other addresses refuse. */
export const EPMD_IPS = ['10.97.0.1', '10.97.0.2', '10.97.0.3'];
export const EPMD_IP = EPMD_IPS[0];
export const EPMD_NET = '10.97.0.0/24';
/** Where a farm of fake EPMDs answers (lab.startFarm). */
export const FARM = { first: '10.96.0.0', cidr: '10.96.0.0/20', count: 4096, port: 4370 };
export const SLASH8 = { cidr: '11.0.0.0/8' };
/** The scanner's address on the link, and zmap's own. */
export const SCANNER_IP = '10.250.0.1';
export const ZMAP_IP = '10.250.0.9';

const sh = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: 'pipe', encoding: 'utf8', ...opts });

/** Why a lab of namespaces cannot be built here (root and these commands), or null. */
export function labAvailable(extra = []) {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, iptables)';
  for (const [cmd, args] of [
    ['ip', ['-V']],
    ['iptables', ['--version']],
    ['epmd', ['-help']],
    ...extra,
  ]) {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch (error) {
      if (error.code === 'ENOENT')
        return `needs ${cmd} (apt-get install iproute2 iptables erlang-base)`;
    }
  }
  return null;
}

export function createLab() {
  const id = randomBytes(3).toString('hex');
  const scanner = `epmdbench-c-${id}`;
  const target = `epmdbench-t-${id}`;
  const children = [];
  const lab = {
    scanner,
    target,
    inScanner: (argv) => ['ip', 'netns', 'exec', scanner, ...argv],
    teardown() {
      for (const c of children) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {}
      }
      for (const ns of [scanner, target]) {
        try {
          sh('ip', ['netns', 'del', ns]);
        } catch {}
      }
    },
  };
  try {
    sh('ip', ['netns', 'add', scanner]);
    sh('ip', ['netns', 'add', target]);
    // Created inside the scanner namespace: the host's own namespace is never touched.
    sh('ip', [
      '-n',
      scanner,
      'link',
      'add',
      'vc',
      'type',
      'veth',
      'peer',
      'name',
      'vt',
      'netns',
      target,
    ]);
    sh('ip', ['-n', scanner, 'addr', 'add', `${SCANNER_IP}/24`, 'dev', 'vc']);
    sh('ip', ['-n', scanner, 'addr', 'add', `${ZMAP_IP}/32`, 'dev', 'vc']);
    sh('ip', ['-n', target, 'addr', 'add', '10.250.0.2/24', 'dev', 'vt']);
    // zmap's SYN-ACKs come back to its address: the scanner's kernel must not answer RST.
    sh('ip', [
      'netns',
      'exec',
      scanner,
      'iptables',
      '-A',
      'OUTPUT',
      '-s',
      ZMAP_IP,
      '-p',
      'tcp',
      '--tcp-flags',
      'RST',
      'RST',
      '-j',
      'DROP',
    ]);
    for (const [ns, dev] of [
      [scanner, 'vc'],
      [target, 'vt'],
    ]) {
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // Every address of these prefixes is "local" in the target namespace.
    for (const cidr of [REFUSING.cidr, SILENT.cidr, EPMD_NET, FARM.cidr, SLASH8.cidr]) {
      sh('ip', ['-n', target, 'route', 'add', 'local', cidr, 'dev', 'lo']);
      sh('ip', ['-n', scanner, 'route', 'add', cidr, 'via', '10.250.0.2']);
    }
    sh('ip', [
      'netns',
      'exec',
      target,
      'iptables',
      '-A',
      'INPUT',
      '-d',
      SILENT.cidr,
      '-p',
      'tcp',
      '--syn',
      '-j',
      'DROP',
    ]);
    // Room for 10,000+ sockets in flight on both sides.
    for (const ns of [scanner, target]) {
      sh('ip', [
        'netns',
        'exec',
        ns,
        'sysctl',
        '-q',
        '-w',
        'net.ipv4.ip_local_port_range=1024 65000',
      ]);
      sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.tcp_tw_reuse=1']);
    }
  } catch (error) {
    lab.teardown();
    throw error;
  }
  lab.startEpmd = async (nodes) => {
    const run = (argv, env = {}) => {
      const c = spawn('ip', ['netns', 'exec', target, ...argv], {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, ...env },
      });
      children.push(c);
      return c;
    };
    run(['epmd', '-address', EPMD_IPS.join(',')]);
    // Wait (bounded) for epmd, then start the nodes and wait for each to say so.
    for (let i = 0; i < 200; i++) {
      try {
        sh('ip', ['netns', 'exec', target, 'epmd', '-names']);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await Promise.all(
      nodes.map(
        (name) =>
          new Promise((resolve, reject) => {
            const c = run([
              'erl',
              '-sname',
              name,
              '-noshell',
              '-setcookie',
              'bench',
              '-eval',
              'io:format("ready~n")',
            ]);
            const timer = setTimeout(() => reject(new Error(`node ${name} did not start`)), 30_000);
            c.stdout.on('data', (d) => {
              if (String(d).includes('ready')) {
                clearTimeout(timer);
                resolve();
              }
            });
          }),
      ),
    );
  };
  /**
   * Fake EPMDs on every address of FARM (peers/epmd-farm.js), each replying
   * `replyBytes`, on FARM.port (the real epmd has 4369 on its addresses).
   */
  lab.startFarm = (nodes, replyBytes, distPort = 25672) =>
    new Promise((resolve, reject) => {
      const farm = fileURLToPath(new URL('./peers/epmd-farm.js', import.meta.url));
      const c = spawn(
        'ip',
        [
          'netns',
          'exec',
          target,
          process.execPath,
          farm,
          String(FARM.port),
          String(distPort),
          String(nodes),
          String(replyBytes),
        ],
        { detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(c);
      c.stdout.on('data', (d) => {
        if (String(d).includes('ready')) resolve();
      });
      c.on('exit', (code) => reject(new Error(`the EPMD farm exited (${code})`)));
    });
  /** The target side's MAC address: zmap's gateway. */
  lab.gatewayMac = () =>
    JSON.parse(sh('ip', ['-n', target, '-j', 'link', 'show', 'vt']))[0].address;
  return lab;
}

/** Why zmap cannot run in the lab, or null. */
export function zmapAvailable() {
  try {
    execFileSync('zmap', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'needs zmap (apt-get install zmap)';
  }
}

/** Files zmap is given, in `dir`: an empty configuration and blocklist, an allowlist of `cidr` alone. */
export function zmapFiles(dir, cidr) {
  const files = {
    conf: join(dir, 'zmap.conf'),
    empty: join(dir, 'empty'),
    allow: join(dir, 'allow'),
  };
  writeFileSync(files.conf, '');
  writeFileSync(files.empty, '');
  writeFileSync(files.allow, `${cidr}\n`);
  return files;
}

/**
 * zmap's argv for one port of `cidr`, from the scanner namespace: its own
 * source address on the veth, the target side as gateway, no configuration
 * file but `conf` (an empty one), no blocklist but the empty one, and the
 * allowlist `files.allow` (a range of the lab alone), so that it can send
 * nowhere but the lab.
 */
export function zmapArgs(lab, { rate, cooldown, files }) {
  return [
    'zmap',
    '-C',
    files.conf,
    '-b',
    files.empty,
    '-w',
    files.allow,
    '-i',
    'vc',
    '-S',
    ZMAP_IP,
    '-G',
    lab.gatewayMac(),
    '-p',
    '4369',
    '-r',
    String(rate),
    '-c',
    String(cooldown),
    '-q',
    '--disable-syslog',
  ];
}
