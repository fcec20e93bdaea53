import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisErrorHint } from '../../../src/shared/redis/error-hints.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('redisErrorHint', () => {
  it('names the options to check for errors that retrying will not fix', () => {
    assert.match(
      redisErrorHint(new Error('WRONGPASS invalid username-password pair or user is disabled.'))!,
      /redis\.username and redis\.password/,
    );
    assert.match(redisErrorHint(new Error('NOAUTH Authentication required.'))!, /credentials/);
    assert.match(
      redisErrorHint(new Error("NOPERM this user has no permissions to run the 'xadd' command"))!,
      /ACL/,
    );
    assert.match(
      redisErrorHint(withCode('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'))!,
      /redis\.tlsCaFile/,
    );
    assert.match(
      redisErrorHint(
        withCode(
          "Hostname/IP does not match certificate's altnames",
          'ERR_TLS_CERT_ALTNAME_INVALID',
        ),
      )!,
      /TLS certificate/,
    );
    assert.match(
      redisErrorHint(new Error('ERR DB index is out of range'))!,
      /fewer databases than redis\.db/,
    );
    assert.match(
      redisErrorHint(withCode('getaddrinfo ENOTFOUND redis', 'ENOTFOUND'))!,
      /redis\.host/,
    );
  });

  it('gives none for transient errors', () => {
    assert.equal(
      redisErrorHint(withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED')),
      undefined,
    );
    assert.equal(
      redisErrorHint(new Error('LOADING Redis is loading the dataset in memory')),
      undefined,
    );
    assert.equal(redisErrorHint(withCode('read ECONNRESET', 'ECONNRESET')), undefined);
  });
});
