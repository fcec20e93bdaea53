import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flagsToLayer } from '../../../src/app/flags-to-config.js';
import { parseConfig } from '../../../src/shared/config/load-config.js';

describe('CLI flags to config', () => {
  it('maps flags to their options and coerces them by the schema type', () => {
    const layer = flagsToLayer({
      threads: '4',
      sources: 'a,b',
      loop: true,
      redisUrl: 'redis://x',
      redisSocket: '/run/redis/redis.sock',
      sinkConsumer: 'sink-0',
      unrelated: 1,
    });
    assert.deepEqual(layer, {
      worker: { threads: 4, sources: ['a', 'b'] },
      producer: { loop: true },
      redis: { url: 'redis://x', socketPath: '/run/redis/redis.sock' },
      sink: { consumer: 'sink-0' },
    });
  });

  it('leaves a bad value for the schema to report by option name', () => {
    assert.throws(() => parseConfig([flagsToLayer({ threads: 'many' })]), /worker\.threads/);
  });
});
