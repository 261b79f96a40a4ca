// The bare TCP handle behind net.Socket (process.binding('tcp_wrap'), on
// Node's allow-list for process.binding). A connect through it costs no
// stream, no listeners and no Error object: what a refused or silent target
// needs. Feature-detected once; null where it is missing, behaves
// unexpectedly, or must not be touched (deprecation flags, the permission
// model), and the probe then uses net.connect. socketPath() is the CLI's
// decision, with its one note and the EPMD_SCAN_PORTABLE_SOCKETS switch
// (EPMD_SCAN_PORTABLE, runtime/tuning.ts, turns this off with the rest).

import { getSystemErrorName } from 'node:util';
import { PORTABLE_RUNTIME_ENV, portableRuntime } from './tuning.js';

/** What the probe needs of a handle: close it (the socket takes it over on success). */
export interface TcpHandle {
  close(cb?: () => void): void;
}

/** Told how a connect ended: `onConnect(null)` on success, `onConnect(code)` on failure. */
export interface ConnectOwner {
  onConnect(error: string | null): void;
}

export interface RawTcp {
  /** Starts a connect; its owner is told how it ended. */
  connect(
    host: string,
    port: number,
    owner: ConnectOwner,
    /** A local address to bind first (same family as host), or none: the system's choice. */
    source?: string,
  ): { handle: TcpHandle; error?: undefined } | { handle?: undefined; error: string };
}

interface TcpWrapBinding {
  TCP: new (
    type: number,
  ) => TcpHandle & {
    connect(req: object, address: string, port: number): number;
    connect6(req: object, address: string, port: number): number;
    bind(address: string, port: number): number;
    bind6(address: string, port: number, flags: number): number;
  };
  /** Node calls the request's oncomplete(status) when the connect ends. */
  TCPConnectWrap: new () => object;
  constants: { SOCKET: number };
}

/** libuv's error names by number, learnt as they come: a sweep meets two or three of its few dozen. */
const errorNames = new Map<number, string>();

function errorName(status: number): string {
  let name = errorNames.get(status);
  if (name === undefined) {
    name = getSystemErrorName(status);
    errorNames.set(status, name);
  }
  return name;
}

let cached: RawTcp | null | undefined;
let unavailable: string | null = null;

/**
 * Why process.binding must not be called in this process, or null. It is a
 * pending deprecation (DEP0111): with --pending-deprecation Node warns on
 * stderr, and with --throw-deprecation the warning is thrown on the next tick,
 * outside any try, crashing the scan. The permission model refuses it.
 */
export function bindingRefused(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): string | null {
  const flags = `${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  const p = process as unknown as { throwDeprecation?: boolean; permission?: unknown };
  if (p.throwDeprecation || /(^|\s)--throw-deprecation\b/.test(flags)) return '--throw-deprecation';
  if (/(^|\s)--pending-deprecation\b/.test(flags) || env.NODE_PENDING_DEPRECATION === '1') {
    return '--pending-deprecation';
  }
  if (p.permission !== undefined) return 'the permission model';
  return null;
}

function load(): RawTcp | null {
  if (portableRuntime()) {
    unavailable = `${PORTABLE_RUNTIME_ENV}=1`;
    return null;
  }
  unavailable = bindingRefused();
  if (unavailable !== null) return null;
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding;
  unavailable = 'process.binding is missing';
  if (typeof binding !== 'function') return null;
  let tcp: TcpWrapBinding;
  try {
    tcp = binding.call(process, 'tcp_wrap') as TcpWrapBinding;
  } catch (error) {
    unavailable = `process.binding('tcp_wrap') failed (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    return null;
  }
  unavailable = "process.binding('tcp_wrap') is not the handle this Node version was tested with";
  if (
    typeof tcp?.TCP !== 'function' ||
    typeof tcp.TCPConnectWrap !== 'function' ||
    typeof tcp.constants?.SOCKET !== 'number' ||
    typeof tcp.TCP.prototype.connect !== 'function' ||
    typeof tcp.TCP.prototype.connect6 !== 'function' ||
    typeof tcp.TCP.prototype.bind !== 'function' ||
    typeof tcp.TCP.prototype.bind6 !== 'function'
  ) {
    return null;
  }
  /**
   * A connect request whose one own property is its owner, in the object
   * itself: oncomplete is the class's (no closure per target), and nothing
   * else is set. Each property set on a bare TCPConnectWrap went to a
   * property store of its own: the heap of a dropping /18 (16,384 silent
   * connects in flight) was 0.7 MB larger.
   */
  class ConnectRequest extends tcp.TCPConnectWrap {
    constructor(readonly owner: ConnectOwner) {
      super();
    }

    oncomplete(status: number): void {
      this.owner.onConnect(status === 0 ? null : errorName(status));
    }
  }
  return {
    connect(host, port, owner, source) {
      const handle = new tcp.TCP(tcp.constants.SOCKET);
      const req = new ConnectRequest(owner);
      // Targets are canonical address text: a colon means IPv6 (no regex per connect).
      const v6 = host.includes(':');
      // --source-ip: bind the local address (any port) before connecting, as net does for localAddress.
      let status =
        source === undefined ? 0 : v6 ? handle.bind6(source, 0, 0) : handle.bind(source, 0);
      if (status === 0) {
        status = v6 ? handle.connect6(req, host, port) : handle.connect(req, host, port);
      }
      if (status !== 0) {
        handle.close();
        return { error: errorName(status) };
      }
      return { handle };
    },
  };
}

function loaded(): RawTcp | null {
  if (cached === undefined) {
    cached = load();
    if (cached) unavailable = null;
  }
  return cached;
}

/** The bare-handle connector, or null to use net.connect. */
export function rawTcp(): RawTcp | null {
  return loaded();
}

/** Set to 1 to make every connection with net.connect (the portable path). */
export const PORTABLE_ENV = 'EPMD_SCAN_PORTABLE_SOCKETS';

/** How this process will connect, and the one note to give when it had to fall back. */
export interface SocketPath {
  /** True: every connection through net.connect. */
  portable: boolean;
  /** Why: 'forced', 'fallback' (bare handles unavailable) or 'bare'. */
  path: 'bare' | 'forced' | 'fallback';
  /** A line for stderr when the slower path was not asked for; null otherwise. */
  note: string | null;
  /** Why the portable path is taken (the variable that chose it, or why the handle is missing); null on the bare path. */
  reason: string | null;
}

/** Decides the socket path once, for the CLI: bare handles unless forced off or unavailable. */
export function socketPath(env: NodeJS.ProcessEnv = process.env): SocketPath {
  const forced = env[PORTABLE_ENV];
  if (forced !== undefined && forced !== '' && forced !== '0') {
    return { portable: true, path: 'forced', note: null, reason: `chosen by ${PORTABLE_ENV}` };
  }
  if (portableRuntime(env)) {
    const reason = `chosen by ${PORTABLE_RUNTIME_ENV}`;
    return { portable: true, path: 'forced', note: null, reason };
  }
  if (loaded()) return { portable: false, path: 'bare', note: null, reason: null };
  return {
    portable: true,
    path: 'fallback',
    reason: `Node's bare TCP handle is unavailable: ${unavailable}`,
    note: `note: connecting with net.connect (portable, slower): Node's bare TCP handle is unavailable (${unavailable}); set ${PORTABLE_ENV}=1 to choose this path and silence this note`,
  };
}
