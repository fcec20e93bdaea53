import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossSiteWriteRefusal, hostAllowed, hostName } from '../../../src/viewer/request-guard.js';

describe('viewer request guard', () => {
  it('reads the host name of a Host header, IPv6 included', () => {
    assert.equal(hostName('Viewer.Example:8090'), 'viewer.example');
    assert.equal(hostName('[::1]:8090'), '::1');
    assert.equal(hostName('127.0.0.1'), '127.0.0.1');
  });

  it('without a token answers IP addresses, localhost and the allowed names only', () => {
    for (const host of [
      '127.0.0.1:8090',
      '10.1.2.3',
      '[::1]:8090',
      'localhost:8090',
      'a.localhost',
    ]) {
      assert.equal(hostAllowed(host, [], false), true, host);
    }
    assert.equal(hostAllowed('evil.example:8090', [], false), false, 'a rebound name');
    assert.equal(hostAllowed(undefined, [], false), false);
    assert.equal(hostAllowed('Viewer.Example:443', ['viewer.example'], false), true);
    assert.equal(hostAllowed('evil.example', [], true), true, 'a token guards instead');
  });

  it('takes a command only as JSON from its own origin (or none)', () => {
    const json = { host: 'localhost:8090', 'content-type': 'application/json; charset=utf-8' };
    assert.equal(crossSiteWriteRefusal(json), undefined, 'curl: no Origin');
    assert.equal(crossSiteWriteRefusal({ ...json, origin: 'http://localhost:8090' }), undefined);
    assert.equal(crossSiteWriteRefusal({ ...json, 'content-type': 'text/plain' })?.status, 415);
    assert.equal(crossSiteWriteRefusal({ host: 'localhost:8090' })?.status, 415);
    assert.equal(crossSiteWriteRefusal({ ...json, origin: 'http://evil.example' })?.status, 403);
    assert.equal(crossSiteWriteRefusal({ ...json, origin: 'null' })?.status, 403);
    assert.equal(crossSiteWriteRefusal({ ...json, origin: 'not a url' })?.status, 403);
  });

  it('behind a proxy that rewrites Host: the forwarded host or a declared name is its own', () => {
    const proxied = {
      host: '127.0.0.1:8090',
      'content-type': 'application/json',
      origin: 'https://cams.example.com',
    };
    assert.equal(crossSiteWriteRefusal(proxied)?.status, 403, 'nothing says it is its own');
    const forwarded = { ...proxied, 'x-forwarded-host': 'cams.example.com, inner.proxy' };
    assert.equal(crossSiteWriteRefusal(forwarded), undefined);
    assert.equal(crossSiteWriteRefusal(proxied, ['Cams.Example.com']), undefined);
    // Another site is refused however the viewer is named.
    const evil = { ...forwarded, origin: 'https://evil.example' };
    assert.equal(crossSiteWriteRefusal(evil, ['cams.example.com'])?.status, 403);
  });
});
