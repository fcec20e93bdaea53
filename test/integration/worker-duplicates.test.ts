import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  fixturePath,
  keysOf,
  pendingCount,
  putFrames,
  resultFrameIds,
  startWorker,
  testConfig,
} from '../helpers/worker-fixtures.js';

describe('duplicate deliveries', () => {
  const server = useRedisServer();

  it('when two workers process the same entries, each entry still gets one result', async () => {
    // Both workers resume the same consumer's pending history, and the barrier processor
    // holds each frame until both have it: every entry is processed twice, settled once.
    const config = testConfig(server, {
      consumer: 'twin',
      processor: fixturePath('barrier.ts'),
      claimIdleMs: 600_000,
    });
    const keys = keysOf(config);
    const ids = await putFrames(server.redis, config, 10);
    await server.redis.xreadgroup(
      'GROUP',
      'workers',
      'twin',
      'COUNT',
      10,
      'STREAMS',
      keys.frames,
      '>',
    );
    const a = await startWorker(server, config);
    const b = await startWorker(server, config);
    await waitFor('nothing pending', async () => (await pendingCount(server.redis, keys)) === 0);
    const [statsA, statsB] = [await a.stop(), await b.stop()];

    assert.deepEqual(await resultFrameIds(server.redis, keys), ids);
    assert.equal(statsA.processed + statsB.processed, 10);
    assert.equal(statsA.duplicates + statsB.duplicates, 10);
    assert.equal(await server.redis.hget(keys.stats, 'processed'), '10');
  });
});
