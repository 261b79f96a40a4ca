// Writing text to a stream with backpressure, remembering the first error
// (e.g. EPIPE when `| head` has read enough) instead of throwing it later.

import type { Writable } from 'node:stream';

export class Sink {
  /** The first write error, if any; writes after it are dropped. */
  error: NodeJS.ErrnoException | null = null;

  constructor(readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error;
    });
  }

  /** Writes `text`; resolves when the stream can take more. */
  async write(text: string): Promise<void> {
    if (text === '' || this.error) return;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }
}
