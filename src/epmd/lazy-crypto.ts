// Node's crypto, loaded when a follow-up first needs it (a handshake's
// name, challenge or digest). Imported at the top, it loaded 17 of Node's
// modules in every scan worker whether or not the sweep found anything: a
// refusing /16 at --rate 100000 peaked 0.7 MB higher (six runs each).

import { createRequire } from 'node:module';

type NodeCrypto = typeof import('node:crypto');

let loaded: NodeCrypto | null = null;

/** node:crypto, loaded on the first call. */
export function nodeCrypto(): NodeCrypto {
  loaded ??= createRequire(import.meta.url)('node:crypto') as NodeCrypto;
  return loaded;
}
