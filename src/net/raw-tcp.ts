// The bare TCP handle behind net.Socket (process.binding('tcp_wrap'), on
// Node's allow-list for process.binding). A connect through it costs no
// stream, no listeners and no Error object: what a refused or silent target
// needs. Feature-detected once; null where it is missing or behaves
// unexpectedly, and the probe then uses net.connect.

import { getSystemErrorName } from 'node:util';

/** What the probe needs of a handle: close it (the socket takes it over on success). */
export interface TcpHandle {
  close(cb?: () => void): void;
}

export interface RawTcp {
  /** Starts a connect; `done(null)` on success, `done(code)` on failure. */
  connect(
    host: string,
    port: number,
    done: (error: string | null) => void,
  ): { handle: TcpHandle; error?: undefined } | { handle?: undefined; error: string };
}

interface TcpWrapBinding {
  TCP: new (
    type: number,
  ) => TcpHandle & {
    connect(req: object, address: string, port: number): number;
    connect6(req: object, address: string, port: number): number;
  };
  TCPConnectWrap: new () => {
    oncomplete: (status: number) => void;
    address: string;
    port: number;
  };
  constants: { SOCKET: number };
}

let cached: RawTcp | null | undefined;

function load(): RawTcp | null {
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding;
  if (typeof binding !== 'function') return null;
  let tcp: TcpWrapBinding;
  try {
    // process.binding is deprecated documentation-only; silence nothing, use it.
    tcp = binding.call(process, 'tcp_wrap') as TcpWrapBinding;
  } catch {
    return null;
  }
  if (
    typeof tcp?.TCP !== 'function' ||
    typeof tcp.TCPConnectWrap !== 'function' ||
    typeof tcp.constants?.SOCKET !== 'number' ||
    typeof tcp.TCP.prototype.connect !== 'function' ||
    typeof tcp.TCP.prototype.connect6 !== 'function'
  ) {
    return null;
  }
  return {
    connect(host, port, done) {
      const handle = new tcp.TCP(tcp.constants.SOCKET);
      const req = new tcp.TCPConnectWrap();
      req.oncomplete = (status: number) => done(status === 0 ? null : getSystemErrorName(status));
      req.address = host;
      req.port = port;
      // Targets are canonical address text: a colon means IPv6 (no regex per connect).
      const status = host.includes(':')
        ? handle.connect6(req, host, port)
        : handle.connect(req, host, port);
      if (status !== 0) {
        handle.close();
        return { error: getSystemErrorName(status) };
      }
      return { handle };
    },
  };
}

/** The bare-handle connector, or null to use net.connect. */
export function rawTcp(): RawTcp | null {
  if (cached === undefined) cached = load();
  return cached;
}
