import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EdgeMetricsTicker } from '../../../src/producer/edge-metrics.js';
import { silentLogger } from '../../../src/shared/logger.js';
import type { RedisClient } from '../../../src/shared/redis/create-redis.js';

/** Records each XADD's payload field. */
function fakeRedis(): { redis: RedisClient; payloads: unknown[] } {
  const payloads: unknown[] = [];
  const redis = {
    xadd(...args: unknown[]) {
      const at = args.indexOf('payload');
      payloads.push(JSON.parse(String(args[at + 1])));
      return Promise.resolve('1-0');
    },
  } as unknown as RedisClient;
  return { redis, payloads };
}

describe('edge metrics ticker', () => {
  it('writes a last entry at stop with the final counts, even for a run under one tick', async () => {
    const { redis, payloads } = fakeRedis();
    const counters = { produced: 0, dropped: 0, refused: 0, encodeMsTotal: 0, encoded: 0 };
    const ticker = new EdgeMetricsTicker({
      redis,
      stream: 'p:{cam1}:metrics',
      source: 'cam1',
      logger: silentLogger(),
      counters: () => counters,
      buffered: () => 0,
      intervalMs: 3_600_000, // no tick in this test
    });
    ticker.start({ refresh: () => Promise.resolve(7) });
    counters.produced = 42; // the stop's flush
    await ticker.stop();
    assert.equal(payloads.length, 1);
    assert.deepEqual(
      [
        (payloads[0] as { produced: number }).produced,
        (payloads[0] as { backlog: number }).backlog,
      ],
      [42, 7],
    );
    await ticker.stop();
    assert.equal(payloads.length, 1, 'a second stop writes nothing more');
  });

  it('writes nothing at stop when it never started', async () => {
    const { redis, payloads } = fakeRedis();
    const ticker = new EdgeMetricsTicker({
      redis,
      stream: 's',
      source: 'cam1',
      logger: silentLogger(),
      counters: () => ({ produced: 0, dropped: 0, refused: 0, encodeMsTotal: 0, encoded: 0 }),
      buffered: () => 0,
    });
    await ticker.stop();
    assert.equal(payloads.length, 0);
  });
});
