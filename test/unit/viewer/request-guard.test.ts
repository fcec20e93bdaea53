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

  it('behind a proxy that rewrites Host: a name allowedHosts declares is its own, no header is', () => {
    const proxied = {
      host: '127.0.0.1:8090',
      'content-type': 'application/json',
      origin: 'https://cams.example.com',
    };
    assert.equal(crossSiteWriteRefusal(proxied)?.status, 403, 'nothing says it is its own');
    assert.equal(crossSiteWriteRefusal(proxied, ['Cams.Example.com']), undefined);
    // A page rebound to the viewer's address is same-origin: it can send any header, and a
    // proxy copies the client's Host into X-Forwarded-Host. Neither makes it the viewer.
    const rebound = {
      ...proxied,
      origin: 'http://evil.example',
      'x-forwarded-host': 'evil.example',
    };
    assert.equal(crossSiteWriteRefusal(rebound, ['cams.example.com'])?.status, 403);
  });
});
