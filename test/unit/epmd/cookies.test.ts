import { describe, expect, it } from 'vitest';
import { acceptedCookieRisk, cookieCandidates } from '../../../src/epmd/cookies.js';
import type { NamesNode } from '../../../src/epmd/names.js';

const node = (name: string): NamesNode => ({
  name,
  port: 9100,
  nameBytes: Uint8Array.from(Buffer.from(name)),
});
const labels = (name: string) => cookieCandidates(node(name)).map((c) => c.label);

describe('cookie candidates', () => {
  it('built-ins: monster, the empty cookie and the short name first, then other defaults', () => {
    expect(labels('rabbit').slice(0, 3)).toEqual(['monster', '(empty)', 'rabbit']);
    expect(labels('rabbit')).toEqual([
      'monster',
      '(empty)',
      'rabbit',
      'emqxsecretcookie',
      'vmq',
      'riak',
    ]);
    expect(cookieCandidates(node('rabbit'))[1]?.bytes.length).toBe(0);
  });
  it("a product's own default comes first; no candidate twice", () => {
    expect(labels('emqx').slice(0, 3)).toEqual(['emqxsecretcookie', 'monster', '(empty)']);
    expect(labels('couchdb').slice(0, 3)).toEqual(['monster', '(empty)', 'couchdb']);
    expect(labels('riak')).toEqual(['riak', 'monster', '(empty)', 'emqxsecretcookie', 'vmq']);
  });
  it('a name with spaces or control bytes is not tried as a cookie', () => {
    expect(labels('a b')).not.toContain('a b');
    expect(labels('x\x1b[2J')).toHaveLength(5);
  });
  it("a file's cookies keep their order and are named by position only", () => {
    const c = cookieCandidates(node('rabbit'), ['s3cret', 'other']);
    expect(c.map((x) => x.label)).toEqual(['file entry #1', 'file entry #2']);
    expect(c[0]?.bytes.toString()).toBe('s3cret');
    expect(JSON.stringify(c.map((x) => x.label))).not.toContain('s3cret');
  });
  it('risk texts name built-ins by value and file cookies by position', () => {
    expect(acceptedCookieRisk('monster')).toBe(
      "default cookie 'monster' accepted: remote code execution",
    );
    expect(acceptedCookieRisk('(empty)')).toBe("default cookie '' accepted: remote code execution");
    expect(acceptedCookieRisk('file entry #2')).toBe(
      'cookie file entry #2 accepted: remote code execution',
    );
  });
});
