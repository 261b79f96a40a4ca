// @local: every address of this machine's own interfaces, so that "does this
// host expose EPMD on any interface?" is one command.

import { networkInterfaces } from 'node:os';

/**
 * The addresses of this machine's interfaces. IPv6 link-local addresses
 * (fe80::/10) are left out: they need an interface scope to be reached and
 * are not an exposure beyond the link.
 */
export function localAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      out.push(a.address);
    }
  }
  return out;
}
