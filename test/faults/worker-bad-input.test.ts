import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import {
  keysOf,
  makeJpeg,
  pendingCount,
  putFrames,
  resultFrameIds,
  startWorker,
  testConfig,
  waitFor,
} from '../helpers/worker-fixtures.js';

describe('a worker fed bad input or losing Redis', () => {
  let server: RedisServer;
  let redis: Redis;
  before(async () => {
    server = await startRedisServer();
    redis = server.client();
  });
  after(async () => server.stop());

  it('dead-letters an oversized frame with its reason and processes the others', async () => {
    const config = testConfig(server, { maxFrameBytes: 4096 });
    const keys = keysOf(config);
    const big = Buffer.concat([await makeJpeg(64, 48), Buffer.alloc(8192)]);
    await putFrames(redis, config, 10, async (seq) => (seq === 3 ? big : makeJpeg(64, 48, seq)));
    const worker = await startWorker(server, config);
    await waitFor(
      'ten settled',
      async () => (await redis.xlen(keys.results)) + (await redis.xlen(keys.dlq)) === 10,
    );
    await worker.stop();
    const [[, fields]] = (await redis.xrange(keys.dlq, '-', '+')) as [[string, string[]]];
    const field = (name: string) => fields[fields.indexOf(name) + 1];
    assert.equal(field('dlq_code'), 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.match(field('dlq_reason') ?? '', /exceeds 4096/);
    assert.equal(field('seq'), '3');
    assert.equal((await resultFrameIds(redis, keys)).length, 9);
    assert.equal(await pendingCount(redis, keys), 0);
  });

  it('waits while Redis is down and resumes by itself, losing nothing', async () => {
    const config = testConfig(server);
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    await putFrames(redis, config, 20);
    const worker = await startWorker(server, config);
    await waitFor('first results', async () => (await redis.xlen(keys.results)) >= 20);
    await server.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    await server.start();
    // The restarted server is empty (no AOF in this test): new frames must still flow.
    await putFrames(redis, config, 15);
    await waitFor(
      'results after the restart',
      async () => (await redis.xlen(keys.results)) === 15,
      30_000,
    );
    await worker.stop();
    assert.equal(new Set(await resultFrameIds(redis, keys)).size, 15);
    assert.equal(await pendingCount(redis, keys), 0);
  });
});
