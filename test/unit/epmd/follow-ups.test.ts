import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DFLAG,
  encodeSendName,
  parseHandshakeReply,
  SCANNER_FLAGS,
} from '../../../src/epmd/handshake.js';
import { encodePortPlease2, parsePort2Resp, port2Complete } from '../../../src/epmd/port-please.js';

const fixture = (name: string) =>
  Buffer.from(
    readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8').trim(),
    'hex',
  );

describe('PORT_PLEASE2', () => {
  it('encodes length, 7a and the name', () => {
    expect(encodePortPlease2(Buffer.from('rabbit')).toString('hex')).toBe(
      `00077a${Buffer.from('rabbit').toString('hex')}`,
    );
  });
  it('decodes a PORT2_RESP captured from a real OTP 25 epmd', () => {
    expect(parsePort2Resp(fixture('otp25-port2-rabbit.hex'))).toEqual({
      ok: true,
      port: 40065,
      type: 'normal',
      protocol: 0,
      highestVersion: 6,
      lowestVersion: 5,
    });
    expect(parsePort2Resp(fixture('otp25-port2-unknown.hex'))).toEqual({
      ok: false,
      reason: 'unknown-node',
    });
  });
  it('reads type 72 as hidden and checks the lengths', () => {
    const b = Buffer.from('77003039480000060005000178' + '0000', 'hex');
    expect(parsePort2Resp(b)).toMatchObject({ ok: true, type: 'hidden', port: 12345 });
    expect(parsePort2Resp(b.subarray(0, 10))).toEqual({ ok: false, reason: 'bad-lengths' });
    expect(port2Complete(b.subarray(0, 10))).toBe(false);
    expect(port2Complete(b)).toBe(true);
    expect(parsePort2Resp(Buffer.from('HTTP'))).toEqual({ ok: false, reason: 'not-port2-resp' });
  });
  it('never throws (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (b, complete) => {
        parsePort2Resp(b, complete);
        port2Complete(b);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('distribution handshake', () => {
  it('send_name is one version-6 frame with the flags OTP 25 and 26+ require', () => {
    const b = encodeSendName('epmd-scan@scanner', 0x01020304);
    expect(b.readUInt16BE(0)).toBe(b.length - 2);
    expect(String.fromCharCode(b[2] as number)).toBe('N');
    const flags = b.readBigUInt64BE(3);
    expect(flags).toBe(SCANNER_FLAGS);
    for (const f of [
      DFLAG.HANDSHAKE_23,
      DFLAG.UNLINK_ID,
      DFLAG.V4_NC,
      DFLAG.BIG_CREATION,
      DFLAG.UTF8_ATOMS,
    ]) {
      expect(flags & f).toBe(f);
    }
    expect(flags & 1n).toBe(0n); // not published: a hidden node
    expect(b.readUInt32BE(11)).toBe(0x01020304);
    expect(b.subarray(17).toString()).toBe('epmd-scan@scanner');
  });
  it('reads status and challenge captured from a real OTP 25 node', () => {
    expect(parseHandshakeReply(fixture('otp25-handshake-rabbit.hex'))).toEqual({
      status: 'ok',
      challenge: { fullName: 'rabbit@vm', flags: '0xd07df7fbd', creation: 1795395179, version: 6 },
      error: null,
      done: true,
    });
  });
  it('waits for the challenge after ok; stops at once after a refusal', () => {
    const full = fixture('otp25-handshake-rabbit.hex');
    expect(parseHandshakeReply(full.subarray(0, 5))).toMatchObject({ status: 'ok', done: false });
    expect(parseHandshakeReply(full.subarray(0, 20))).toMatchObject({ status: 'ok', done: false });
    const refusal = Buffer.from('000c736e6f745f616c6c6f776564', 'hex');
    expect(parseHandshakeReply(refusal)).toEqual({
      status: 'not_allowed',
      challenge: null,
      error: null,
      done: true,
    });
    expect(parseHandshakeReply(Buffer.from('HTTP/1.1 400'))).toMatchObject({
      error: 'not-erlang-distribution',
      done: true,
    });
  });
  it('escapes a hostile full name', () => {
    const name = Buffer.from('x\x1b[2J@h');
    const challenge = Buffer.alloc(19 + name.length);
    challenge[0] = 0x4e;
    challenge.writeUInt16BE(name.length, 17);
    name.copy(challenge, 19);
    const frame = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
    const r = parseHandshakeReply(Buffer.concat([frame(Buffer.from('sok')), frame(challenge)]));
    expect(r.challenge?.fullName).toBe('x\\x1b[2J@h');
  });
  it('never throws (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        parseHandshakeReply(b);
      }),
      { numRuns: 3000 },
    );
  });
});
