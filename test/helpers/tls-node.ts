// A real TLS distribution node (`erl -proto_dist inet_tls`) behind a real
// epmd, for tests: it needs openssl (for its certificate) and Erlang's ssl
// application. Without them the tests skip with a message, unless
// EPMD_SCAN_REQUIRE_REAL=1 (CI installs them), where that is a failure.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ERL, type ErlNode, REQUIRE_REAL, type RealEpmd } from './real-epmd.js';

/** Call at the top of a test file (`real`: real peers are there): explains a skip, or fails in CI. */
export function tlsOrSkip(real: boolean): boolean {
  if (!real || !ERL) return false;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    execFileSync(
      ERL,
      ['-noshell', '-eval', 'halt(case code:lib_dir(ssl) of {error, _} -> 1; _ -> 0 end)'],
      { stdio: 'ignore' },
    );
    return true;
  } catch {
    if (REQUIRE_REAL) {
      throw new Error(
        'EPMD_SCAN_REQUIRE_REAL=1 but openssl or erlang-ssl is missing: apt-get install openssl erlang-ssl',
      );
    }
    console.warn('SKIPPED the TLS-distribution test: install openssl and erlang-ssl to run it.');
    return false;
  }
}

/** A node `name` with -proto_dist inet_tls and a self-signed certificate made in `dir`. */
export function startTlsNode(epmd: RealEpmd, dir: string, name = 'tlsnode'): Promise<ErlNode> {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  return epmd.startNode(name, [
    '-proto_dist',
    'inet_tls',
    '-ssl_dist_opt',
    'server_certfile',
    join(dir, 'cert.pem'),
    '-ssl_dist_opt',
    'server_keyfile',
    join(dir, 'key.pem'),
  ]);
}
