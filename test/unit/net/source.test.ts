// -S accepts only a unicast address assigned to this machine (issue #22,
// case 13): the rule on made-up interfaces, so every branch is reached.

import { describe, expect, it } from 'vitest';
import { checkLocalSources, type Interface, sourceProblem } from '../../../src/net/source.js';

const interfaces: Interface[] = [
  { name: 'lo', address: '127.0.0.1', cidr: '127.0.0.1/8', internal: true },
  { name: 'lo', address: '::1', cidr: '::1/128', internal: true },
  { name: 'eth0', address: '192.0.2.2', cidr: '192.0.2.2/24', internal: false },
  { name: 'eth1', address: '198.51.100.9', cidr: '198.51.100.9/31', internal: false },
  { name: 'eth0', address: '2001:db8::2', cidr: '2001:db8::2/64', internal: false },
];

describe('sourceProblem', () => {
  it.each([
    ['127.0.0.1', null],
    ['127.0.0.2', null], // loopback's whole /8 is this machine's
    ['192.0.2.2', null],
    ['198.51.100.9', null],
    ['198.51.100.8', "not an address of this machine's interfaces"], // a /31 has no broadcast
    ['2001:db8::2', null],
    ['::1', null],
    ['192.0.2.3', "not an address of this machine's interfaces"], // eth0's subnet, not its address
    ['2001:db8::3', "not an address of this machine's interfaces"],
    ['192.0.2.255', "the broadcast address of eth0's 192.0.2.0/24"],
    ['192.0.2.0', "the network address of eth0's 192.0.2.0/24"],
    ['127.255.255.255', "the broadcast address of lo's 127.0.0.0/8"],
    ['255.255.255.255', 'the broadcast address'],
    ['224.0.0.1', 'a multicast address'],
    ['239.255.255.250', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['0.0.0.0', 'the unspecified address, not an address of one interface'],
    ['::', 'the unspecified address, not an address of one interface'],
    ['fe80::1', 'an IPv6 link-local address (not supported: it needs an interface scope)'],
  ])('%s: %s', (address, problem) => {
    expect(sourceProblem(address, interfaces)).toBe(problem);
  });
  it('refuses, naming the address, even where a bind would succeed', async () => {
    const always = async () => true;
    await expect(checkLocalSources({ v4: '224.0.0.1' }, interfaces, always)).rejects.toThrow(
      "--source-ip '224.0.0.1' is a multicast address: a connection's source must be a unicast address of this machine",
    );
    await expect(
      checkLocalSources({ v4: '192.0.2.2' }, interfaces, always),
    ).resolves.toBeUndefined();
    await expect(
      checkLocalSources({ v4: '192.0.2.2' }, interfaces, async () => false),
    ).rejects.toThrow(/an address this machine cannot bind/);
  });
});
