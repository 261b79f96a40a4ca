// A scan worker thread (see parallel.ts): asks for chunks of positions,
// probes them with its own pool, posts the records back in batches.

import { parentPort, workerData } from 'node:worker_threads';
import { SocketBudget } from '../net/budget.js';
import { tuneWorker } from '../runtime/tuning.js';
import { type OrderedTarget, TargetOrder } from '../targets/order.js';
import { TargetSpace } from '../targets/space.js';
import type { PositionedRecord } from './options.js';
import { type FromWorker, type ToWorker, WORKER_TRIM_BYTES, type WorkerSetup } from './parallel.js';
import { Batches, drainPool, Wakeup } from './pool.js';
import { BatchWriter, transferList } from './record-batch.js';
import { prober } from './scan.js';

const port = parentPort;
if (!port) throw new Error('scan-worker.js runs as a worker thread (see parallel.ts)');
const setup = workerData as WorkerSetup;
// A kind registered from outside src/ is registered here by importing its module.
if (setup.probe.module !== null) await import(setup.probe.module);
const stopTrim = tuneWorker(setup.runtime, WORKER_TRIM_BYTES);

const send = (message: FromWorker): void => port.postMessage(message);
const order = new TargetOrder(TargetSpace.fromParts(setup.space), setup.order);
const controller = new AbortController();

/** Chunks granted but not yet walked; null marks the end. */
const granted: ({ from: number; to: number } | null)[] = [];
const arrived = new Wakeup();
port.on('message', (message: ToWorker) => {
  if (message.type === 'taken') {
    probing.memory.free(message.bytes);
    return;
  }
  if (message.type === 'stop') controller.abort();
  else granted.push(message.type === 'chunk' ? message : null);
  arrived.notify();
});

/** The positions this worker walks, a chunk at a time, always one chunk asked for ahead. */
async function* chunks(): AsyncGenerator<Iterable<OrderedTarget>> {
  send({ type: 'want' });
  send({ type: 'want' });
  while (true) {
    while (granted.length === 0) await arrived.wait();
    const chunk = granted.shift();
    if (!chunk) return;
    send({ type: 'want' });
    yield order.items(chunk.from, chunk.to);
  }
}

/** Records finished in one turn of the event loop go back as one message. */
const writer = new BatchWriter(setup.probe);
let flushing = false;
const flush = (): void => {
  flushing = false;
  const batch = writer.take();
  if (batch) {
    const message = { type: 'records', batch, inFlight: gauge.inFlight } satisfies FromWorker;
    port.postMessage(message, transferList(batch));
  }
};

const budget = new SocketBudget(setup.sockets);
/** Records finished in one turn of the event loop go in one message: the flush is set once. */
const flushSoon = (): void => {
  if (!flushing) {
    flushing = true;
    setImmediate(flush);
  }
};
/** A refusal or a timeout goes into the batch as numbers: its record is never made here. */
const probing = prober(setup.probe, undefined, budget, (position, plain) => {
  const taken = writer.pushPlain(position, plain.status, plain.error, Date.now());
  if (taken) flushSoon();
  return taken;
});
/** Its probes in flight, sent with each batch (the CLI's --metrics). */
const gauge = { inFlight: 0 };
/** A record as its probe ends, into the batch. */
const take = (result: PositionedRecord): void => {
  // An exposure's reply stays counted here until the main thread takes its record.
  writer.push(result, probing.claim(result));
  flushSoon();
};
try {
  await drainPool(
    new Batches(chunks()),
    probing.start,
    {
      concurrency: setup.concurrency,
      ramp: setup.ramp,
      bucket: probing.bucket,
      budget,
      memory: probing.memory,
      signal: controller.signal,
      graceMs: setup.graceMs,
      gauge,
    },
    take,
  );
  flush();
  send({ type: 'done' });
} catch (error) {
  flush();
  send({ type: 'fail', message: (error as Error)?.message ?? String(error) });
} finally {
  probing.stop();
  stopTrim();
  port.close();
}
