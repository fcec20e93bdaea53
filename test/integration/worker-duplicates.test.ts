import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import {
  fixturePath,
  keysOf,
  pendingCount,
  putFrames,
  resultFrameIds,
  startWorker,
  testConfig,
  waitFor,
} from '../helpers/worker-fixtures.js';

describe('duplicate deliveries', () => {
  let server: RedisServer;
  let redis: Redis;
  before(async () => {
    server = await startRedisServer();
    redis = server.client();
  });
  after(async () => server.stop());

  it('when two workers process the same entries, each entry still gets one result', async () => {
    // Both workers resume the same consumer's pending history, and the barrier processor
    // holds each frame until both have it: every entry is processed twice, settled once.
    const config = testConfig(server, {
      consumer: 'twin',
      processor: fixturePath('barrier.ts'),
      claimIdleMs: 600_000,
    });
    const keys = keysOf(config);
    const ids = await putFrames(redis, config, 10);
    await redis.xreadgroup('GROUP', 'workers', 'twin', 'COUNT', 10, 'STREAMS', keys.frames, '>');
    const a = await startWorker(server, config);
    const b = await startWorker(server, config);
    await waitFor('nothing pending', async () => (await pendingCount(redis, keys)) === 0);
    const [statsA, statsB] = [await a.stop(), await b.stop()];

    assert.deepEqual(await resultFrameIds(redis, keys), ids);
    assert.equal(statsA.processed + statsB.processed, 10);
    assert.equal(statsA.duplicates + statsB.duplicates, 10);
    assert.equal(await redis.hget(keys.stats, 'processed'), '10');
  });
});
