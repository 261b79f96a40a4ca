// Network namespaces that a test creates for itself (root and iproute2 needed):
// private interfaces and addresses, torn down afterwards.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

export function netnsAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Explains a skip when namespaces cannot be made here. */
export function netnsOrSkip(what: string): boolean {
  if (netnsAvailable()) return true;
  console.warn(`SKIPPED ${what}: needs root and iproute2 (ip netns) to build a private network`);
  return false;
}

export interface Netns {
  name: string;
  /** Runs `ip -n <ns> ...args`. */
  ip(...args: string[]): void;
  /** argv prefix that runs a command inside the namespace. */
  exec: string[];
  /** Gives the namespace its own /etc/hosts (ip netns exec bind-mounts /etc/netns/<ns>/hosts). */
  hosts(text: string): void;
  remove(): void;
}

export function createNetns(): Netns {
  const name = `epmdscan-${process.pid}-${randomBytes(3).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  const ip = (...args: string[]) => {
    execFileSync('ip', ['-n', name, ...args], { stdio: 'pipe' });
  };
  ip('link', 'set', 'lo', 'up');
  return {
    name,
    ip,
    exec: ['ip', 'netns', 'exec', name],
    hosts: (text) => {
      mkdirSync(`/etc/netns/${name}`, { recursive: true });
      writeFileSync(`/etc/netns/${name}/hosts`, text);
    },
    remove: () => {
      rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
}
