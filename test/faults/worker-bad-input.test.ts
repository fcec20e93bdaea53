import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  keysOf,
  makeJpeg,
  pendingCount,
  putFrames,
  resultFrameIds,
  startWorker,
  testConfig,
} from '../helpers/worker-fixtures.js';

describe('a worker fed bad input or losing Redis', () => {
  const server = useRedisServer();

  it('dead-letters an oversized frame with its reason and processes the others', async () => {
    const config = testConfig(server, { maxFrameBytes: 4096 });
    const keys = keysOf(config);
    const big = Buffer.concat([await makeJpeg(64, 48), Buffer.alloc(8192)]);
    await putFrames(server.redis, config, 10, async (seq) =>
      seq === 3 ? big : makeJpeg(64, 48, seq),
    );
    const worker = await startWorker(server, config);
    await waitFor(
      'ten settled',
      async () =>
        (await server.redis.xlen(keys.results)) + (await server.redis.xlen(keys.dlq)) === 10,
    );
    await worker.stop();
    const [[, fields]] = (await server.redis.xrange(keys.dlq, '-', '+')) as [[string, string[]]];
    const field = (name: string) => fields[fields.indexOf(name) + 1];
    assert.equal(field('dlq_code'), 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.match(field('dlq_reason') ?? '', /exceeds 4096/);
    assert.equal(field('seq'), '3');
    assert.equal((await resultFrameIds(server.redis, keys)).length, 9);
    assert.equal(await pendingCount(server.redis, keys), 0);
  });

  it('waits while Redis is down and resumes by itself, losing nothing', async () => {
    const config = testConfig(server);
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    await putFrames(server.redis, config, 20);
    const worker = await startWorker(server, config);
    await waitFor('first results', async () => (await server.redis.xlen(keys.results)) >= 20);
    await server.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    await server.start();
    // The restarted server is empty (no AOF in this test): new frames must still flow.
    await putFrames(server.redis, config, 15);
    await waitFor(
      'results after the restart',
      async () => (await server.redis.xlen(keys.results)) === 15,
      30_000,
    );
    await worker.stop();
    assert.equal(new Set(await resultFrameIds(server.redis, keys)).size, 15);
    assert.equal(await pendingCount(server.redis, keys), 0);
  });
});
