// Colour levels the way chalk's users expect: NO_COLOR turns colour off,
// FORCE_COLOR turns it on (0-3), otherwise only a terminal gets colour.

import type { Writable } from 'node:stream';

export type ColorLevel = 0 | 1 | 2 | 3;

export function colorLevel(stream: Writable, env: NodeJS.ProcessEnv = {}): ColorLevel {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2' || force === '3') return Number(force) as ColorLevel;
    return 1;
  }
  if (!isTerminal(stream)) return 0;
  if (env.TERM === 'dumb') return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  return /256/.test(env.TERM ?? '') ? 2 : 1;
}

export function isTerminal(stream: Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
