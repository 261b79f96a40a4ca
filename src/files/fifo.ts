// A FIFO's open() blocks until the other end is opened, in a thread of the
// pool where no signal reaches it; worse, the process cannot exit while it
// blocks (Node joins the pool's threads on exit). Opening the other end for
// a moment, without blocking, lets it return.

import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** Lets a blocked open of the FIFO at `path` return, whichever end it waits for. */
async function unblock(path: string, waitingToRead: boolean): Promise<void> {
  const flags = (waitingToRead ? constants.O_WRONLY : constants.O_RDONLY) | constants.O_NONBLOCK;
  try {
    const fh = await open(path, flags);
    await fh.close();
  } catch {
    // Nobody is waiting on it (any more): nothing to do.
  }
}

/**
 * When `path` is a FIFO, arranges for an open of it that is still blocked
 * when `signal` aborts to return. Returns what undoes the arrangement.
 */
export async function unblockOnAbort(
  path: string,
  waitingToRead: boolean,
  signal?: AbortSignal,
): Promise<() => void> {
  if (!signal) return () => undefined;
  const isFifo = (await stat(path).catch(() => null))?.isFIFO() === true;
  if (!isFifo) return () => undefined;
  const onAbort = (): void => void unblock(path, waitingToRead);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
