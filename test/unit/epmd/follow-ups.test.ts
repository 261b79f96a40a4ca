import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cookieDigest,
  DFLAG,
  encodeChallengeReply,
  encodeSendName,
  parseChallengeAck,
  parseHandshakeReply,
  SCANNER_FLAGS,
  scannerNodeName,
} from '../../../src/epmd/handshake.js';
import { parseNamesReply } from '../../../src/epmd/names.js';
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
      challenge: {
        fullName: 'rabbit@vm',
        flags: '0xd07df7fbd',
        creation: 1795395179,
        challenge: 0xc62802e9,
        version: 6,
      },
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

describe('NAMES and PORT_PLEASE2 captured from real OTP 25 and OTP 27 epmds', () => {
  it('NAMES: the header is the epmd port, nodes as listed', () => {
    const names = (f: string) => {
      const r = parseNamesReply(fixture(f));
      return r.ok ? [r.epmdPort, r.nodes.map((n) => `${n.name}:${n.port}`)] : r.reason;
    };
    expect(names('otp25-names.hex')).toEqual([4369, ['ejabberd:37299', 'rabbit:25672']]);
    expect(names('otp27-names.hex')).toEqual([4370, ['otp27b:40943', 'otp27a:9100']]);
  });
  it('PORT2_RESP: port, normal type, TCP, versions 6..5; 77 01 for an unknown name', () => {
    const port2 = (f: string) => parsePort2Resp(fixture(f));
    const normal = { ok: true, type: 'normal', protocol: 0, highestVersion: 6, lowestVersion: 5 };
    expect(port2('otp25-port2-rabbit-25672.hex')).toEqual({ ...normal, port: 25672 });
    expect(port2('otp25-port2-ejabberd.hex')).toEqual({ ...normal, port: 37299 });
    expect(port2('otp27-port2-otp27a.hex')).toEqual({ ...normal, port: 9100 });
    // otp27b was started -hidden: epmd still says normal (77).
    expect(port2('otp27-port2-otp27b.hex')).toMatchObject({ ok: true, type: 'normal' });
    expect(port2('otp27-port2-unknown.hex')).toEqual({ ok: false, reason: 'unknown-node' });
  });
});

describe('handshake replies captured from real OTP 25 and OTP 27 nodes', () => {
  it('send_name with our flags: ok and the challenge (name, flags, challenge, creation)', () => {
    const cases = [
      ['otp25-hs-v6-rabbit.hex', 'rabbit@vm', '0xd07df7fbd', 766792090, 1795430218],
      ['otp25-hs-v6-ejabberd.hex', 'ejabberd@localhost', '0xd07df7fbd', 2194381496, 1795430222],
      ['otp27-hs-v6-otp27a.hex', 'otp27a@vm', '0xd07df7fbd', 2093136247, 1795430224],
      ['otp27-hs-v6-otp27b.hex', 'otp27b@127.5.0.1', '0xd07df7fbc', 810170132, 1795430225],
    ] as const;
    for (const [file, fullName, flags, challenge, creation] of cases) {
      expect(parseHandshakeReply(fixture(file)), file).toEqual({
        status: 'ok',
        challenge: { fullName, flags, challenge, creation, version: 6 },
        error: null,
        done: true,
      });
    }
  });
  it('OTP 27 refuses legacy flags and version-5 names; OTP 25 takes the flags, closes on v5', () => {
    for (const f of [
      'otp27-hs-otp25flags-otp27a.hex',
      'otp27-hs-otp25flags-otp27b.hex',
      'otp27-hs-v5-otp27a.hex',
      'otp27-hs-v5-otp27b.hex',
    ]) {
      expect(parseHandshakeReply(fixture(f)), f).toMatchObject({
        status: 'not_allowed',
        done: true,
      });
    }
    expect(parseHandshakeReply(fixture('otp25-hs-otp25flags-rabbit.hex'))).toMatchObject({
      status: 'ok',
      challenge: { fullName: 'rabbit@vm' },
    });
    expect(parseHandshakeReply(fixture('otp25-hs-v5-rabbit.hex'))).toMatchObject({
      status: null,
      done: false,
    });
  });
  it('a second send_name with a pending name gets nok', () => {
    expect(parseHandshakeReply(fixture('otp27-hs-v6-samename-nok-otp27a.hex'))).toEqual({
      status: 'nok',
      challenge: null,
      error: null,
      done: true,
    });
  });
  it('a TLS distribution port answers with a TLS alert: tls', () => {
    expect(parseHandshakeReply(fixture('otp25-hs-v6-tlsdist.hex'))).toEqual({
      status: null,
      challenge: null,
      error: 'tls',
      done: true,
    });
    // A ServerHello record too; a 2-byte frame header that is not TLS is not.
    expect(parseHandshakeReply(Buffer.from('160303007a02', 'hex')).error).toBe('tls');
    expect(parseHandshakeReply(Buffer.from('0003736f6b', 'hex')).error).toBeNull();
  });
});

describe('cookie checks: names, digests, challenge reply and ack', () => {
  it('every connection announces a fresh name that -sname rules accept', () => {
    const names = new Set(Array.from({ length: 1000 }, () => scannerNodeName()));
    expect(names.size).toBe(1000);
    for (const n of [...names].slice(0, 20)) expect(n).toMatch(/^epmd-scan-[0-9a-f]{12}@scanner$/);
  });
  it('digests match what erlang:md5([Cookie|integer_to_list(Challenge)]) gives on a real node', () => {
    // Computed with erl (OTP 25): binary:encode_hex(erlang:md5(["monster"|integer_to_list(3735928559)])).
    expect(cookieDigest(Buffer.from('monster'), 3735928559).toString('hex')).toBe(
      'bf7f88f051f7f0529399994f5512d99c',
    );
    expect(cookieDigest(Buffer.alloc(0), 1).toString('hex')).toBe(
      'c4ca4238a0b923820dcc509a6f75849b',
    );
  });
  it('challenge_reply is one frame: r, our challenge, the 16-byte digest', () => {
    const digest = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(encodeChallengeReply(0xdeadbeef, digest).toString('hex')).toBe(
      `001572deadbeef${digest.toString('hex')}`,
    );
  });
  it('reads the challenge_ack after status and challenge; anything else is bad-ack', () => {
    const head = fixture('otp27-hs-v6-otp27a.hex');
    const digest = Buffer.alloc(16, 7);
    const ack = Buffer.concat([Buffer.from('001161', 'hex'), digest]);
    expect(parseChallengeAck(head)).toEqual({ digest: null, done: false, error: null });
    expect(parseChallengeAck(Buffer.concat([head, ack.subarray(0, 10)])).done).toBe(false);
    expect(parseChallengeAck(Buffer.concat([head, ack]))).toEqual({
      digest,
      done: true,
      error: null,
    });
    expect(parseChallengeAck(Buffer.concat([head, Buffer.from('000278ff', 'hex')]))).toEqual({
      digest: null,
      done: true,
      error: 'bad-ack',
    });
  });
  it('the ack parser never throws (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        parseChallengeAck(b);
      }),
      { numRuns: 2000 },
    );
  });
});
