import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../../src/app/color.js';

const tty = Object.assign(new PassThrough(), { isTTY: true });
const pipe = new PassThrough();

describe('colorLevel', () => {
  it('follows NO_COLOR, FORCE_COLOR and the terminal', () => {
    expect(colorLevel(pipe, {})).toBe(0);
    expect(colorLevel(tty, {})).toBe(1);
    expect(colorLevel(tty, { TERM: 'xterm-256color' })).toBe(2);
    expect(colorLevel(tty, { NO_COLOR: '1' })).toBe(0);
    expect(colorLevel(pipe, { FORCE_COLOR: '1' })).toBe(1);
    expect(colorLevel(pipe, { FORCE_COLOR: '3' })).toBe(3);
    expect(colorLevel(tty, { FORCE_COLOR: '0' })).toBe(0);
    expect(colorLevel(tty, { TERM: 'dumb' })).toBe(0);
  });
});
