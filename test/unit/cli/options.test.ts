import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { hostPort } from '../../../src/cli/options.js';

describe('--metrics <host:port>', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
  ])('%s', (value, expected) => {
    expect(hostPort(value)).toEqual(expected);
  });
  it.each([
    'localhost:9464',
    '9464',
    ':9464',
    '127.0.0.1',
    '127.0.0.1:65536',
    '::1:9464',
    '[::1]',
  ])('refuses %s', (value) => {
    expect(() => hostPort(value)).toThrow(InvalidArgumentError);
  });
});
