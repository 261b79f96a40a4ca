// Reverse DNS through the system resolver (getnameinfo): /etc/hosts,
// nsswitch and the host's DNS all answer, as they do for every other tool.

import { lookupService } from 'node:dns/promises';

/** Finds the name of an address; null when it has none. */
export type ReverseLookup = (ip: string) => Promise<string | null>;

export const systemReverse: ReverseLookup = async (ip) => {
  try {
    const { hostname } = await lookupService(ip, 0);
    // getnameinfo answers with the address itself when there is no name.
    return hostname && hostname !== ip ? hostname : null;
  } catch {
    return null;
  }
};

/** A lookup that gives up after `ms` (getnameinfo has no timeout of its own). */
export function withTimeout(lookup: ReverseLookup, ms: number): ReverseLookup {
  return (ip) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      lookup(ip).then(
        (name) => {
          clearTimeout(timer);
          resolve(name);
        },
        () => {
          clearTimeout(timer);
          resolve(null);
        },
      );
    });
}
