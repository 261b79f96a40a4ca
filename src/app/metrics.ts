// --metrics <host:port>: the scan's figures for Prometheus, served at
// /metrics in its text format (prom-client), for sweeps that run for hours in
// a Kubernetes Job or under GNU parallel. Pulled, not pushed: every scrape
// reads the run's Stats and the scan's gauges, so the record loop is not
// touched and a scan without --metrics pays nothing.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { UsageError } from '../errors.js';
import { STATUSES } from '../probes/registry.js';
import type { Stats } from '../report/summary.js';
import type { ScanGauges } from '../scan/options.js';
import type { DoneSet } from '../targets/done-set.js';
import type { HostPort } from './run-options.js';

/** What a scrape reads. */
export interface Watched {
  stats: Stats;
  total: number;
  gauges: ScanGauges;
  /** With --resume: the positions the checkpoint counts. */
  checkpoint: DoneSet | null;
}

/** The window of the rate gauge, in seconds. */
const RATE_WINDOW_S = 10;

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
    const registry = new Registry();
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
    new Counter({
      name: 'epmd_scan_exposures_total',
      help: 'Exposed EPMDs found (records with status epmd)',
      registers,
      collect() {
        follow(this, 'exposures', w()?.stats.exposures ?? 0);
      },
    });
    new Counter({
      name: 'epmd_scan_nodes_total',
      help: 'Erlang nodes listed by the exposed EPMDs',
      registers,
      collect() {
        follow(this, 'nodes', w()?.stats.nodes ?? 0);
      },
    });
    new Gauge({
      name: 'epmd_scan_in_flight',
      help: 'Probes in flight now (all threads)',
      registers,
      collect() {
        this.set(w()?.gauges.inFlight ?? 0);
      },
    });
    new Gauge({
      name: 'epmd_scan_workers',
      help: 'Worker threads probing (0: the main thread alone)',
      registers,
      collect() {
        this.set(w()?.gauges.workers ?? 0);
      },
    });
    new Gauge({
      name: 'epmd_scan_targets_total',
      help: 'Targets of this run (after excludes and shard)',
      registers,
      collect() {
        this.set(w()?.total ?? 0);
      },
    });
    new Gauge({
      name: 'epmd_scan_targets_done',
      help: 'Targets done, earlier parts of a resumed run included',
      registers,
      collect() {
        this.set(w()?.stats.done ?? 0);
      },
    });
    const rate = (): number => this.rate();
    new Gauge({
      name: 'epmd_scan_probe_rate',
      help: 'Targets done per second over the last 10 seconds',
      registers,
      collect() {
        this.set(rate());
      },
    });
    new Gauge({
      name: 'epmd_scan_checkpoint_position',
      help: 'With --resume: every position below this one is counted by the checkpoint',
      registers,
      collect() {
        this.set(w()?.checkpoint?.mark ?? 0);
      },
    });
    new Gauge({
      name: 'epmd_scan_checkpoint_targets',
      help: 'With --resume: targets the checkpoint counts as done',
      registers,
      collect() {
        this.set(w()?.checkpoint?.count ?? 0);
      },
    });
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
