// --metrics <host:port>: the scan's figures for Prometheus, served at
// /metrics in its text format (prom-client), for sweeps that run for hours in
// a Kubernetes Job or under GNU parallel. Pulled, not pushed: every scrape
// reads the run's Stats and the scan's gauges, so the record loop is not
// touched and a scan without --metrics pays nothing.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Counter, Registry } from 'prom-client';
import { UsageError } from '../errors.js';
import { STATUSES } from '../probes/registry.js';
import type { Stats } from '../report/summary.js';
import type { ScanGauges } from '../scan/options.js';
import type { DoneSet } from '../targets/done-set.js';
import { METRICS_IDLE_MS, METRICS_MAX_CONNECTIONS, METRICS_REQUEST_MS } from './metrics-limits.js';
import type { HostPort } from './run-options.js';

/** What a scrape reads. */
export interface Watched {
  stats: Stats;
  /** Targets of the run (a stream's grow as they are read). */
  total: () => number;
  gauges: ScanGauges;
  /** With --resume: the positions the checkpoint counts. */
  checkpoint: DoneSet | null;
}

/** The window of the rate gauge, in seconds. */
const RATE_WINDOW_S = 10;

/** A figure of the run: its name, its help line, and how a scrape reads it. */
type Figure = [name: string, help: string, read: (w: Watched | null) => number];

const COUNTERS: Figure[] = [
  [
    'epmd_scan_exposures_total',
    'Exposed EPMDs found (records with status epmd)',
    (w) => w?.stats.exposures ?? 0,
  ],
  ['epmd_scan_nodes_total', 'Erlang nodes listed by the exposed EPMDs', (w) => w?.stats.nodes ?? 0],
];

const GAUGES: Figure[] = [
  ['epmd_scan_in_flight', 'Probes in flight now (all threads)', (w) => w?.gauges.inFlight ?? 0],
  [
    'epmd_scan_in_flight_ceiling',
    'Probes in flight at most (set by -c, --rate or the open-file limit)',
    (w) => w?.gauges.ceiling ?? 0,
  ],
  [
    'epmd_scan_workers',
    'Worker threads probing (0: the main thread alone)',
    (w) => w?.gauges.workers ?? 0,
  ],
  [
    'epmd_scan_targets_total',
    'Targets of this run (after excludes and shard; for a stream, those read so far)',
    (w) => w?.total() ?? 0,
  ],
  [
    'epmd_scan_targets_done',
    'Targets done, earlier parts of a resumed run included',
    (w) => w?.stats.done ?? 0,
  ],
  [
    'epmd_scan_checkpoint_position',
    'With --resume: every position below this one is counted by the checkpoint',
    (w) => w?.checkpoint?.mark ?? 0,
  ],
  [
    'epmd_scan_checkpoint_targets',
    'With --resume: targets the checkpoint counts as done',
    (w) => w?.checkpoint?.count ?? 0,
  ],
];

/**
 * Whoever reaches the port must not be able to take the scan's descriptors
 * or end it: a few connections at once (more are closed as accepted), each
 * closed when idle or slow, and an error accepting one (EMFILE) is no crash.
 */
function limitConnections(server: Server): void {
  server.maxConnections = METRICS_MAX_CONNECTIONS;
  server.headersTimeout = METRICS_REQUEST_MS;
  server.requestTimeout = METRICS_REQUEST_MS;
  server.keepAliveTimeout = METRICS_IDLE_MS;
  server.setTimeout(METRICS_IDLE_MS, (socket) => socket.destroy());
  server.on('error', () => undefined);
  server.on('clientError', (_error, socket) => socket.destroy());
}

/**
 * prom-client, loaded by the first start(): a run without --metrics never
 * loads it (nor node:http), and the command's bundle leaves it out
 * (scripts/bundle.js).
 */
let prom: typeof import('prom-client') | undefined;

/** The metrics endpoint: bound before the scan starts, closed when it ends. */
export class MetricsServer {
  private watched: Watched | null = null;
  /** (time, done) samples for the rate, oldest first, one a second. */
  private samples: [number, number][] = [];
  private sampler: NodeJS.Timeout | null = null;

  private constructor(
    private readonly server: Server,
    readonly registry: Registry,
    /** `host:port` as bound (`[v6]:port`). */
    readonly address: string,
  ) {}

  /** Listens on exactly `where` (port 0: any free port); exit 2 when it cannot. */
  static async start(where: HostPort): Promise<MetricsServer> {
    prom ??= await import('prom-client');
    // node:http too: a run without --metrics loads neither.
    const { createServer } = await import('node:http');
    const registry = new prom.Registry();
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('epmd-scan: try /metrics\n');
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: Error) => res.writeHead(500).end(`${error.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new UsageError(
            `--metrics ${where.host}:${where.port}: cannot listen there (${error.code ?? error.message})`,
          ),
        ),
      );
      server.listen(where.port, where.host, resolve);
    });
    limitConnections(server);
    // The endpoint never keeps the process alive on its own.
    server.unref();
    const { address, port } = server.address() as AddressInfo;
    const shown = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    const metrics = new MetricsServer(server, registry, shown);
    metrics.define();
    return metrics;
  }

  /** Starts reporting on a scan. */
  watch(watched: Watched): void {
    this.watched = watched;
    this.sample();
    this.sampler = setInterval(() => this.sample(), 1000);
    this.sampler.unref();
  }

  close(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private define(): void {
    // start() loaded it before making this server.
    const { Counter, Gauge, collectDefaultMetrics } = prom as typeof import('prom-client');
    const registers = [this.registry];
    const w = (): Watched | null => this.watched;
    // Counters follow the run's counts: each scrape adds what came since the last.
    const counted = new Map<string, number>();
    const follow = (counter: Counter<string>, key: string, now: number, labels = {}): void => {
      const before = counted.get(key) ?? 0;
      counter.inc(labels, Math.max(0, now - before));
      counted.set(key, Math.max(now, before));
    };
    new Counter({
      name: 'epmd_scan_probes_total',
      help: 'Targets probed, by status (epmd, not-epmd, refused, timeout, unreachable, error)',
      labelNames: ['status'],
      registers,
      collect() {
        for (const status of STATUSES) {
          follow(this, `probes:${status}`, w()?.stats.byStatus[status] ?? 0, { status });
        }
      },
    });
    for (const [name, help, read] of COUNTERS) {
      new Counter({
        name,
        help,
        registers,
        collect() {
          follow(this, name, read(w()));
        },
      });
    }
    const gauges: Figure[] = [
      ...GAUGES,
      [
        'epmd_scan_probe_rate',
        'Targets done per second over the last 10 seconds',
        () => this.rate(),
      ],
    ];
    for (const [name, help, read] of gauges) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(w()));
        },
      });
    }
    collectDefaultMetrics({ register: this.registry, prefix: 'epmd_scan_' });
  }

  private sample(): void {
    this.samples.push([performance.now(), this.watched?.stats.done ?? 0]);
    if (this.samples.length > RATE_WINDOW_S + 1) this.samples.shift();
  }

  /** Targets a second over the last RATE_WINDOW_S seconds (fewer at the start). */
  private rate(): number {
    const first = this.samples[0];
    if (!first) return 0;
    const seconds = (performance.now() - first[0]) / 1000;
    return seconds > 0 ? ((this.watched?.stats.done ?? 0) - first[1]) / seconds : 0;
  }
}
