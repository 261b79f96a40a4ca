// The reading of what a distribution port answers to send_name (--probe dist):
// bytes captured from real OTP 25 and OTP 27.3 nodes, RabbitMQ's AMQP port,
// hostile replies, and properties over any bytes (fast-check).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DFLAG_PUBLISHED,
  type DistReply,
  distReplyDone,
  flagsHex,
  MAX_CHALLENGE_FRAME,
  MAX_DIST_READ,
  MAX_STATUS_FRAME,
  readDistReply,
} from '../../../src/epmd/dist-reply.js';

const fixture = (name: string) =>
  Buffer.from(
    readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8').trim(),
    'hex',
  );

const frame = (body: Buffer): Buffer => {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
};
const status = (s: string | Buffer) => frame(Buffer.concat([Buffer.from('s'), Buffer.from(s)]));

/** An `N` challenge frame with these fields. */
function challengeFrame(name: Uint8Array, flags = 0xd07df7fbdn, challenge = 7, creation = 9) {
  const body = Buffer.alloc(19);
  body[0] = 0x4e;
  body.writeBigUInt64BE(flags, 1);
  body.writeUInt32BE(challenge, 9);
  body.writeUInt32BE(creation, 13);
  body.writeUInt16BE(name.length, 17);
  return frame(Buffer.concat([body, name]));
}

const dist = (r: DistReply) => (r.kind === 'dist' ? r : null);

describe('replies captured from real nodes', () => {
  it.each([
    ['otp25-hs-v6-rabbit.hex', 'rabbit@vm', true],
    ['otp25-hs-v6-ejabberd.hex', 'ejabberd@localhost', true],
    ['otp27-hs-v6-otp27a.hex', 'otp27a@vm', true],
    ['otp27-hs-v6-otp27b.hex', 'otp27b@127.5.0.1', false],
  ])('%s: ok and the challenge of %s', (file, fullName, published) => {
    const r = dist(readDistReply(fixture(file)));
    expect(r).toMatchObject({ status: 'ok', problem: null, more: false });
    expect(r?.challenge).toMatchObject({ fullName, version: 6 });
    // otp27b was started -hidden: its challenge leaves DFLAG_PUBLISHED out.
    expect(((r?.challenge?.flags ?? 0n) & DFLAG_PUBLISHED) !== 0n).toBe(published);
    expect(Buffer.from(r?.challenge?.nameBytes ?? []).toString()).toBe(fullName);
  });
  it('the flags, challenge and creation are the bytes of the frame', () => {
    const r = dist(readDistReply(fixture('otp25-hs-v6-rabbit.hex')));
    expect(flagsHex(r?.challenge?.flags ?? 0n)).toBe('0xd07df7fbd');
    expect(r?.challenge?.challenge).toBe(0x2db4519a);
    expect(r?.challenge?.creation).toBe(0x6b04174a);
  });
  it('OTP 27 refuses legacy flags: not_allowed is still Erlang distribution', () => {
    for (const f of ['otp27-hs-otp25flags-otp27a.hex', 'otp27-hs-v5-otp27b.hex']) {
      expect(readDistReply(fixture(f)), f).toEqual({
        kind: 'dist',
        status: 'not_allowed',
        challenge: null,
        problem: null,
        more: false,
      });
    }
  });
  it('a pending handshake with the same name: nok', () => {
    expect(dist(readDistReply(fixture('otp27-hs-v6-samename-nok-otp27a.hex')))?.status).toBe('nok');
  });
  it('a TLS distribution node answers with an alert: tls', () => {
    expect(readDistReply(fixture('otp25-hs-v6-tlsdist.hex'))).toEqual({ kind: 'tls' });
    // A ServerHello-like handshake record is TLS too; 3.5 is no TLS version.
    expect(readDistReply(Buffer.from('160301007a02', 'hex')).kind).toBe('tls');
    expect(readDistReply(Buffer.from('15030500', 'hex')).kind).toBe('other');
  });
  it("RabbitMQ's AMQP port and an HTTP server are not Erlang distribution", () => {
    expect(readDistReply(fixture('rabbitmq-3.10-amqp-reply.hex'))).toEqual({
      kind: 'other',
      reason: 'bad-frame',
    });
    expect(readDistReply(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))).toEqual({
      kind: 'other',
      reason: 'bad-frame',
    });
    // Two bytes are enough to tell: the read can stop there.
    expect(distReplyDone(Buffer.from('AM'))).toBe(true);
  });
  it('OTP 25 closes on a version-5 name without a byte: empty-reply', () => {
    expect(readDistReply(fixture('otp25-hs-v5-rabbit.hex'))).toEqual({
      kind: 'other',
      reason: 'empty-reply',
    });
  });
});

describe('reading as bytes arrive', () => {
  it('waits for the challenge after ok, and is done when it is whole', () => {
    const whole = fixture('otp27-hs-v6-otp27a.hex');
    for (let n = 0; n < whole.length; n++) {
      expect(distReplyDone(whole.subarray(0, n)), `${n} bytes`).toBe(false);
    }
    expect(distReplyDone(whole)).toBe(true);
  });
  it('a status without its challenge at EOF: no-challenge; cut inside it: bad-challenge', () => {
    const whole = fixture('otp27-hs-v6-otp27a.hex');
    expect(dist(readDistReply(whole.subarray(0, 5)))).toMatchObject({
      status: 'ok',
      problem: 'no-challenge',
    });
    expect(dist(readDistReply(whole.subarray(0, 30)))).toMatchObject({
      status: 'ok',
      problem: 'bad-challenge',
    });
    expect(readDistReply(whole.subarray(0, 4))).toEqual({ kind: 'other', reason: 'short-reply' });
  });
});

describe('hostile replies', () => {
  it('escapes a full name with control bytes and keeps UTF-8', () => {
    const name = Buffer.from('n\x1b[31m\\@h\xf6st', 'latin1');
    const r = dist(readDistReply(Buffer.concat([status('ok'), challengeFrame(name)])));
    expect(r?.challenge?.fullName).toBe('n\\x1b[31m\\x5c@h\\xf6st');
    const utf8 = dist(
      readDistReply(Buffer.concat([status('ok'), challengeFrame(Buffer.from('nöde@höst'))])),
    );
    expect(utf8?.challenge?.fullName).toBe('nöde@höst');
  });
  it.each([
    ['no @', Buffer.from('rabbit')],
    ['@ first', Buffer.from('@host')],
    ['@ last', Buffer.from('rabbit@')],
    ['too long', Buffer.from(`${'a'.repeat(200)}@${'b'.repeat(100)}`)],
  ])('a challenge whose name is not a node name (%s) is bad-challenge', (_why, name) => {
    const r = dist(readDistReply(Buffer.concat([status('ok'), challengeFrame(name)])));
    expect(r).toMatchObject({ status: 'ok', challenge: null, problem: 'bad-challenge' });
  });
  it('a challenge frame longer than any name allows is decided at once', () => {
    const head = Buffer.concat([status('ok'), Buffer.from([0xff, 0xff, 0x4e])]);
    expect(distReplyDone(head)).toBe(true);
    expect(dist(readDistReply(head, { complete: false }))?.problem).toBe('bad-challenge');
  });
  it('an unknown status, a tiny frame or another first byte is not distribution', () => {
    expect(readDistReply(status('yes'))).toEqual({ kind: 'other', reason: 'unknown-status' });
    expect(readDistReply(status('ok\n'))).toEqual({ kind: 'other', reason: 'unknown-status' });
    expect(readDistReply(Buffer.from('0002736f', 'hex'))).toEqual({
      kind: 'other',
      reason: 'bad-frame',
    });
    expect(readDistReply(Buffer.from('00036f6b6b', 'hex'))).toEqual({
      kind: 'other',
      reason: 'bad-frame',
    });
  });
  it('a version-5 challenge is read with its 32-bit flags', () => {
    const body = Buffer.alloc(11);
    body[0] = 0x6e;
    body.writeUInt16BE(5, 1);
    body.writeUInt32BE(0x7fbd, 3);
    body.writeUInt32BE(42, 7);
    const r = dist(
      readDistReply(
        Buffer.concat([status('ok'), frame(Buffer.concat([body, Buffer.from('old@host')]))]),
      ),
    );
    expect(r?.challenge).toMatchObject({
      fullName: 'old@host',
      version: 5,
      flags: 0x7fbdn,
      challenge: 42,
      creation: null,
    });
  });
});

/** Any bytes, and bytes shaped like a reply with hostile values in every field. */
const shaped = fc
  .record({
    statusText: fc.oneof(
      fc.constantFrom('ok', 'nok', 'not_allowed', 'alive', 'ok_simultaneous', 'named:'),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
    ),
    name: fc.uint8Array({ minLength: 0, maxLength: 1100 }),
    flags: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    challenge: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    creation: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    tail: fc.uint8Array({ maxLength: 50 }),
  })
  .map(({ statusText, name, flags, challenge, creation, tail }) =>
    Buffer.concat([
      status(Buffer.from(statusText, 'latin1')),
      challengeFrame(name, flags, challenge, creation),
      tail,
    ]),
  );
const anyReply = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  shaped,
);

describe('properties (fast-check)', () => {
  it('never throws, complete or not', () => {
    fc.assert(
      fc.property(anyReply, fc.boolean(), (b, complete) => {
        readDistReply(b, { complete });
        distReplyDone(b);
      }),
    );
  });
  it('a verdict within MAX_DIST_READ bytes, whatever the peer sends', () => {
    expect(MAX_DIST_READ).toBe(2 + MAX_STATUS_FRAME + 2 + MAX_CHALLENGE_FRAME);
    fc.assert(
      fc.property(
        anyReply,
        fc.uint8Array({ minLength: MAX_DIST_READ, maxLength: MAX_DIST_READ }),
        (b, fill) => {
          const long = Buffer.concat([b, fill]).subarray(0, MAX_DIST_READ);
          expect(distReplyDone(long)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });
  it('once done, more bytes never change the verdict (the reader may stop there)', () => {
    fc.assert(
      fc.property(anyReply, fc.uint8Array({ maxLength: 40 }), (b, more) => {
        for (let n = 0; n <= b.length; n++) {
          const prefix = b.subarray(0, n);
          if (!distReplyDone(prefix)) continue;
          expect(readDistReply(Buffer.concat([prefix, more]))).toEqual(readDistReply(prefix));
          return;
        }
      }),
    );
  });
  it('a full name is safe text: no control character, at most 255 characters', () => {
    fc.assert(
      fc.property(shaped, (b) => {
        const name = dist(readDistReply(b))?.challenge?.fullName;
        if (name === undefined) return;
        // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what is tested
        expect(name).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
        expect([...name.replace(/\\x[0-9a-f]{2}/g, '?')].length).toBeLessThanOrEqual(255);
      }),
    );
  });
  it('a well-formed challenge reads back exactly', () => {
    const nodeName = fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9_-]{0,30}$/), fc.stringMatching(/^[a-z0-9.-]{1,40}$/))
      .map(([n, h]) => `${n}@${h}`);
    fc.assert(
      fc.property(
        nodeName,
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (name, flags, challenge, creation) => {
          const b = Buffer.concat([
            status('ok'),
            challengeFrame(Buffer.from(name), flags, challenge, creation),
          ]);
          expect(dist(readDistReply(b))?.challenge).toEqual({
            fullName: name,
            nameBytes: Uint8Array.from(Buffer.from(name)),
            version: 6,
            flags,
            challenge,
            creation,
          });
        },
      ),
    );
  });
});
