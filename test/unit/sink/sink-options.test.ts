import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiOptionsSchema } from '../../../src/shared/config/api-options.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { parseOptions, SinkOptionsSchema } from '../../../src/shared/config/sink-options.js';

describe('sink and api options', () => {
  it('fill in the defaults: group "sink", loopback bind', () => {
    const sink = parseOptions(SinkOptionsSchema, { pgUrl: 'postgres://x' }, 'sink');
    assert.equal(sink.group, 'sink');
    assert.equal(sink.migrate, false);
    const api = parseOptions(ApiOptionsSchema, { pgUrl: 'postgres://x' }, 'api');
    assert.equal(api.host, '127.0.0.1');
  });

  it('reject a bad value with a ConfigError that names the option and the value', () => {
    assert.throws(
      () => parseOptions(SinkOptionsSchema, { pgUrl: 'postgres://x', batchSize: 0 }, 'sink'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'FRAMEPIPE_ERR_CONFIG');
        assert.deepEqual(
          err.issues.map((i) => [i.path, i.value]),
          [['sink.batchSize', 0]],
        );
        return true;
      },
    );
  });
});
