import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  hideSecrets,
  hideUrlPassword,
  shownConfig,
} from '../../../src/shared/config/hide-secrets.js';
import { ConfigSchema } from '../../../src/shared/config/schema.js';

describe('config show hides secrets', () => {
  it('replaces the password of a connection URL and leaves the rest', () => {
    assert.equal(
      hideUrlPassword('rediss://fp:topsecret@10.0.0.5:6380/2'),
      'rediss://fp:***@10.0.0.5:6380/2',
    );
    assert.equal(
      hideUrlPassword('postgres://app:p%40ss@db:5432/framepipe?sslmode=require'),
      'postgres://app:***@db:5432/framepipe?sslmode=require',
    );
    assert.equal(hideUrlPassword('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
    assert.equal(
      hideUrlPassword('redis://h:6379/0?password=s3cret&family=6'),
      'redis://h:6379/0?password=***&family=6',
      'a password in the query is a password too',
    );
    assert.equal(hideUrlPassword('not a url, maybe secret'), '***');
  });

  it('hides the Redis password, URL passwords and the viewer token; nothing else changes', () => {
    const config = ConfigSchema.parse({
      redis: { url: 'redis://fp:pw-in-url@h:1', password: 'pw-field' },
      postgres: { url: 'postgres://u:pg-pw@db/x' },
      viewer: { token: 'viewer-token-123' },
    });
    const shown = hideSecrets(config);
    const text = JSON.stringify(shown);
    for (const secret of ['pw-in-url', 'pw-field', 'pg-pw', 'viewer-token-123']) {
      assert.ok(!text.includes(secret), `${secret} is shown`);
    }
    assert.equal(shown.redis.password, '***');
    assert.equal(shown.viewer.token, '***');
    assert.deepEqual({ ...shown.worker }, { ...config.worker });
    assert.equal(config.redis.password, 'pw-field', 'the config itself is left alone');
  });

  it('shows no password field where none is set', () => {
    const shown = hideSecrets(ConfigSchema.parse({}));
    assert.equal(shown.redis.password, undefined);
    assert.equal(shown.viewer.token, undefined);
  });

  it('with a redis.url, shows none of the options the URL sets (the connection does not use them)', () => {
    const config = ConfigSchema.parse({
      redis: { url: 'redis://fp:pw@10.0.0.5:6390/2', tlsRejectUnauthorized: false },
    });
    const redis = shownConfig(config).redis as Record<string, unknown>;
    assert.equal(redis.url, 'redis://fp:***@10.0.0.5:6390/2');
    for (const field of ['host', 'port', 'username', 'password', 'db']) {
      assert.ok(!(field in redis), `${field} is shown beside the URL`);
    }
    assert.equal(redis.tls, false, 'what the URL does not set is still shown');
    assert.equal(redis.tlsRejectUnauthorized, false);
    const plain = shownConfig(ConfigSchema.parse({})).redis as Record<string, unknown>;
    assert.equal(plain.port, 6379);
  });
});
