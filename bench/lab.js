// The benchmark's own lab, in two network namespaces it creates and removes:
// a scanner namespace and a target namespace joined by a veth pair. In the
// target namespace a /16 answers every SYN with RST (a local route), a /16
// drops every SYN (iptables there), and a real epmd with real nodes listens on
// one address. No packet leaves the two namespaces.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const REFUSING = { first: '10.99.0.0', cidr: '10.99.0.0/16', count: 65536 };
export const SILENT = { first: '10.98.0.0', cidr: '10.98.0.0/16', count: 65536 };
export const SILENT_1K = { first: '10.98.0.0', cidr: '10.98.0.0/22', count: 1024 };
export const EPMD_IP = '10.97.0.1';
export const SLASH8 = { cidr: '11.0.0.0/8' };

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
    sh('ip', ['-n', scanner, 'addr', 'add', '10.250.0.1/30', 'dev', 'vc']);
    sh('ip', ['-n', target, 'addr', 'add', '10.250.0.2/30', 'dev', 'vt']);
    for (const [ns, dev] of [
      [scanner, 'vc'],
      [target, 'vt'],
    ]) {
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // Every address of these prefixes is "local" in the target namespace.
    for (const cidr of [REFUSING.cidr, SILENT.cidr, `${EPMD_IP}/32`, SLASH8.cidr]) {
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
    run(['epmd', '-address', EPMD_IP]);
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
  return lab;
}
