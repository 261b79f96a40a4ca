// The life cycle of one probe socket: connect, send the request, read until
// EOF, a deadline or a byte cap. Every path ends in exactly one callback and a
// destroyed socket. Callback style on purpose: no promise or timer per target.

import net from 'node:net';
import { type ConnectOwner, rawTcp, type TcpHandle } from '../runtime/raw-tcp.js';
import { outOfDescriptors, type SocketBudget } from './budget.js';
import type { DeadlineList, Expirable, Sweeper } from './deadlines.js';
import type { MemoryReader, ReplyMemory } from './reply-memory.js';
import { type SourceAddresses, sourceFor } from './source.js';

/** How a probe ended. */
export type ProbeEnd =
  | 'eof'
  | 'connect-timeout'
  | 'io-timeout'
  | 'truncated'
  | 'refused'
  | 'reset'
  | 'unreachable'
  | 'error'
  | 'aborted';

export interface ProbeOutcome {
  /** The TCP connection was established. */
  connected: boolean;
  /** What the peer sent, at most maxReply bytes. */
  bytes: Buffer;
  end: ProbeEnd;
  /** The system error code behind `end`, e.g. EHOSTUNREACH. */
  errno: string | null;
}

/** Shared by every probe of one scan. */
export interface ProbeContext {
  sweeper: Sweeper;
  connectDeadlines: DeadlineList;
  replyDeadlines: DeadlineList;
  maxReply: number;
  /** Use net.connect for every probe instead of a bare TCP handle until connected. */
  portable?: boolean;
  /** --source-ip: the local address to bind, per family; the system's choice where absent. */
  sources?: SourceAddresses;
  /** The thread's descriptor budget: each probe counts its socket there while it is open. */
  budget?: SocketBudget;
}

/** What a probe that read nothing read (one buffer for all of them; never written to). */
const NOTHING = Buffer.alloc(0);

/**
 * Every socket of the thread reads into this one buffer (read callbacks run
 * one at a time), and a probe copies out what it keeps: no 64 KiB buffer per
 * read, and a socket stopped with pause() stops reading at once (the
 * kernel keeps what the peer sends; see ReplyMemory).
 */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);

/** After EMFILE, how long a connect waits once room is granted, before it tries again. */
const RETRY_MS = 20;

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Classifies a socket error by its code. */
export function endForErrno(code: string | undefined): ProbeEnd {
  if (code === 'ECONNREFUSED') return 'refused';
  if (code !== undefined && RESET.has(code)) return 'reset';
  if (code !== undefined && UNREACHABLE.has(code)) return 'unreachable';
  if (code === 'ETIMEDOUT') return 'connect-timeout';
  return 'error';
}

/**
 * Told how a probe ended. An object rather than a closure: a sweep's task
 * is its probe's owner, so a target costs no function of its own.
 */
export interface ProbeOwner {
  probeEnded(outcome: ProbeOutcome): void;
}

export interface ProbeExtras {
  /** Ends the read early (as 'eof') once the bytes so far are a whole reply. */
  until?: (bytes: Buffer) => boolean;
  /** Ends as soon as the connection is established, sending nothing. */
  connectOnly?: boolean;
  /**
   * A conversation's next message: called with the bytes so far on every
   * read, before `until`; what it returns (if anything) is sent.
   */
  answer?: (bytes: Buffer) => Uint8Array | null;
  /** The socket's room in the budget was granted already (SocketBudget.acquire). */
  granted?: boolean;
  /** The thread's reply budget: what this probe reads counts there, and it may be told to wait. */
  memory?: ReplyMemory;
}

/**
 * One in-flight probe; `abort()` ends it early.
 *
 * Most targets of a sweep refuse or never answer. For them a net.Socket (a
 * stream, listeners, an Error with a stack trace per refusal) is most of the
 * cost, so the connect is made with the bare TCP handle net itself uses, and
 * the handle is wrapped in a net.Socket only once it has connected. Where the
 * handle is not available (or `portable` is set), net.connect does it all.
 */
export class Probe implements Expirable, ConnectOwner, MemoryReader {
  /** Its connect deadline (the probe is its own entry in the connect list). */
  deadline = 0;
  /** Bytes of the reply budget it holds (MemoryReader). */
  held = 0;
  admitted = false;
  /** Waiting for the reply budget: the time left on its deadline, which stands still meanwhile. */
  private left = -1;
  private socket: net.Socket | null = null;
  private handle: TcpHandle | null = null;
  /** What was read; null until the first bytes (most probes read none). */
  private chunks: Buffer[] | null = null;
  private received = 0;
  private connected = false;
  private done = false;
  /** Waiting for room after EMFILE: no socket is counted for it. */
  private roomless = false;
  private onStop: (() => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  /** The whole probe's deadline, once connected (before that the connect deadline comes first). */
  private replyEntry: Expirable | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly request: Uint8Array,
    private readonly ctx: ProbeContext,
    private readonly onDone: ProbeOwner | ((outcome: ProbeOutcome) => void),
    private readonly extras: ProbeExtras = {},
  ) {
    // The connect list's duration is the shorter of the two timeouts: before it
    // connects, a probe ends there, whichever it is.
    ctx.connectDeadlines.add(this, performance.now());
    ctx.sweeper.arm();
    if (!extras.granted) ctx.budget?.take();
    this.connect();
  }

  private connect(): void {
    const host = this.host;
    const port = this.port;
    const source = sourceFor(host, this.ctx.sources);
    const raw = this.ctx.portable ? null : rawTcp();
    if (raw) {
      const started = raw.connect(host, port, this, source);
      if (started.handle) this.handle = started.handle;
      else {
        const error = started.error;
        // Keep the callback asynchronous, as for every other outcome.
        queueMicrotask(() => this.failed(error));
      }
      return;
    }
    const socket = net.connect({
      host,
      port,
      noDelay: true,
      localAddress: source,
      onread: this.reader(),
    });
    this.attach(socket);
    socket.on('connect', () => this.onConnected());
  }

  /**
   * A socket error. Out of descriptors before connecting is not this
   * target's answer: the budget learns the real limit, and the connect is
   * made again when a socket closes, within the same connect deadline.
   */
  private failed(errno: string | null): void {
    if (this.done) return;
    const budget = this.ctx.budget;
    if (!budget || this.connected || !outOfDescriptors(errno)) {
      this.finish(endForErrno(errno ?? undefined), errno);
      return;
    }
    const socket = this.socket;
    if (socket) {
      // Its close must not end the probe now.
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
    }
    this.socket = null;
    this.handle?.close();
    this.handle = null;
    this.roomless = true;
    budget.release();
    budget.refused();
    const stopped = new Promise<void>((resolve) => {
      this.onStop = resolve;
    });
    void budget.acquire(stopped).then((granted) => {
      if (!granted) return;
      if (this.done) {
        budget.release();
        return;
      }
      this.roomless = false;
      // Not at once: with nothing else open, room is granted at once and the
      // system may still refuse; a timer lets the deadlines run meanwhile.
      this.retry = setTimeout(() => this.connect(), RETRY_MS);
    });
  }

  /** The connect list's deadline passed. */
  expire(): void {
    this.finish('connect-timeout', null);
  }

  /** A bare handle's connect ended (runtime/raw-tcp.ts). */
  onConnect(error: string | null): void {
    if (this.done) return;
    if (error !== null) {
      this.failed(error);
      return;
    }
    // `handle` is how net itself wraps an accepted or connected handle.
    const options = { handle: this.handle, readable: true, writable: true, onread: this.reader() };
    const socket = new net.Socket(options as net.SocketConstructorOpts);
    this.handle = null; // the socket owns it now
    this.attach(socket);
    this.onConnected();
  }

  /** Reads into the thread's buffer; a false return stops the socket reading. */
  private reader(): net.OnReadOpts {
    return { buffer: READ_BUFFER, callback: (n) => this.onData(n, READ_BUFFER) };
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    socket.on('end', () => this.finish('eof', null));
    socket.on('error', (err: NodeJS.ErrnoException) => this.failed(err.code ?? null));
    socket.on('close', () => this.finish('eof', null));
  }

  private onConnected(): void {
    if (this.done) return;
    this.connected = true;
    const { connectDeadlines, replyDeadlines } = this.ctx;
    connectDeadlines.delete(this);
    // The whole probe's time counts from its start, as the connect's did.
    const started = this.deadline - connectDeadlines.duration;
    this.replyEntry = { deadline: 0, expire: () => this.finish('io-timeout', null) };
    replyDeadlines.addAt(this.replyEntry, started + replyDeadlines.duration);
    if (this.extras.connectOnly) {
      this.finish('eof', null);
      return;
    }
    this.extras.memory?.connected(this);
    this.socket?.write(this.request);
  }

  /** `n` bytes read into `buf` (the thread's buffer): a copy is kept. False: stop reading. */
  private onData(n: number, buf: Buffer): boolean {
    if (this.done) return false;
    const room = this.ctx.maxReply - this.received;
    const keep = Math.max(0, Math.min(n, room));
    if (keep > 0) {
      const copy = Buffer.allocUnsafe(keep);
      buf.copy(copy, 0, 0, keep);
      this.chunks ??= [];
      this.chunks.push(copy);
      this.received += keep;
    }
    if (n >= room) {
      // Exactly at the cap is a complete read only if EOF follows; we stop here.
      this.finish('truncated', null);
      return false;
    }
    const { until, answer, memory } = this.extras;
    if (until || answer) {
      const bytes = Buffer.concat(this.chunks ?? []);
      const next = answer?.(bytes);
      if (next) this.socket?.write(next);
      if (until?.(bytes)) {
        this.finish('eof', null);
        return false;
      }
    }
    return !memory || memory.received(this, keep);
  }

  /** The reply budget is tight: stop reading, and stop the deadline's clock (MemoryReader). */
  pauseReading(): void {
    this.socket?.pause();
    if (this.replyEntry && this.left < 0) {
      this.left = Math.max(0, this.replyEntry.deadline - performance.now());
      this.ctx.replyDeadlines.delete(this.replyEntry);
    }
  }

  /** Room for this probe's reply: read on, with the time it had left (MemoryReader). */
  resumeReading(): void {
    if (this.done) return;
    if (this.replyEntry && this.left >= 0) {
      this.ctx.replyDeadlines.addAt(this.replyEntry, performance.now() + this.left);
      this.left = -1;
    }
    this.socket?.resume();
  }

  /** Ends the probe now (Ctrl-C, a consumer that stopped reading). */
  abort(): void {
    this.finish('aborted', null);
  }

  private finish(end: ProbeEnd, errno: string | null): void {
    if (this.done) return;
    this.done = true;
    this.ctx.connectDeadlines.delete(this);
    if (this.replyEntry) this.ctx.replyDeadlines.delete(this.replyEntry);
    this.socket?.destroy();
    this.handle?.close();
    this.handle = null;
    // The descriptor is closed now (libuv closes it at once); its room goes back.
    if (!this.roomless) this.ctx.budget?.release();
    if (this.retry) clearTimeout(this.retry);
    this.onStop?.();
    const chunks = this.chunks;
    const bytes =
      chunks === null
        ? NOTHING
        : chunks.length === 1
          ? (chunks[0] as Buffer)
          : Buffer.concat(chunks);
    this.chunks = null;
    const outcome: ProbeOutcome = { connected: this.connected, bytes, end, errno };
    const owner = this.onDone;
    try {
      if (typeof owner === 'function') owner(outcome);
      else owner.probeEnded(outcome);
    } finally {
      // After onDone: a record that keeps the reply is counted (hold) before this goes back.
      this.extras.memory?.finished(this);
    }
  }
}
