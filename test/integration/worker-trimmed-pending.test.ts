import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/shared/config/schema.js';
import type { RunningWorker } from '../helpers/worker-fixtures.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  keysOf,
  pendingCount,
  putFrames,
  resultFrameIds,
  startWorker,
  testConfig,
} from '../helpers/worker-fixtures.js';

describe('entries trimmed while pending', () => {
  const server = useRedisServer();

  /** 10 frames read by `consumer` and never acked, then the 6 oldest trimmed away. */
  async function readThenTrim(config: Config, consumer: string): Promise<string[]> {
    const keys = keysOf(config);
    const ids = await putFrames(server.redis, config, 10);
    await server.redis.xreadgroup(
      'GROUP',
      'workers',
      consumer,
      'COUNT',
      10,
      'STREAMS',
      keys.frames,
      '>',
    );
    await server.redis.xtrim(keys.frames, 'MAXLEN', 4);
    return ids.slice(6);
  }

  async function droppedMetric(w: RunningWorker): Promise<number | undefined> {
    const metric = await w.metrics.framesDropped.get();
    return metric.values.find((v) => v.labels.reason === 'trimmed_pending')?.value;
  }

  it('restarting under the same name, the [id, nil] history entries are acked and counted as dropped', async () => {
    // A long claimIdleMs keeps the reclaimer out: only the XREADGROUP history path runs.
    const config = testConfig(server, { consumer: 'same-name', claimIdleMs: 600_000 });
    const keys = keysOf(config);
    const kept = await readThenTrim(config, 'same-name');
    const w = await startWorker(server, config);
    await waitFor('all settled', async () => (await pendingCount(server.redis, keys)) === 0);
    const stats = await w.stop();
    assert.equal(stats.dropped, 6);
    assert.equal(stats.processed, 4);
    assert.equal(stats.reclaimed, 0);
    assert.deepEqual(await resultFrameIds(server.redis, keys), kept);
    assert.deepEqual(await server.redis.hmget(keys.stats, 'dropped_pending', 'processed'), [
      '6',
      '4',
    ]);
    assert.equal(await droppedMetric(w), 6);
  });

  it('from a dead consumer, XAUTOCLAIM deleted ids are counted as dropped and never retried', async () => {
    const config = testConfig(server, { claimIdleMs: 50 });
    const keys = keysOf(config);
    const kept = await readThenTrim(config, 'died');
    const w = await startWorker(server, config);
    await waitFor('all settled', async () => (await pendingCount(server.redis, keys)) === 0);
    const stats = await w.stop();
    assert.equal(stats.dropped, 6);
    assert.equal(stats.processed, 4);
    assert.equal(stats.reclaimed, 4);
    assert.deepEqual(await resultFrameIds(server.redis, keys), kept);
    assert.deepEqual(await server.redis.hmget(keys.stats, 'dropped_pending', 'processed'), [
      '6',
      '4',
    ]);
    assert.equal(await droppedMetric(w), 6);
  });

  it('at maxmemory, XAUTOCLAIM deleted ids are still counted: the claim and the count are one script', async () => {
    const config = testConfig(server, { claimIdleMs: 50 });
    const keys = keysOf(config);
    const ids = await putFrames(server.redis, config, 6);
    await server.redis.xreadgroup(
      'GROUP',
      'workers',
      'died',
      'COUNT',
      6,
      'STREAMS',
      keys.frames,
      '>',
    );
    await server.redis.xtrim(keys.frames, 'MAXLEN', 0); // every pending frame trimmed
    await server.redis.config('SET', 'maxmemory', '1'); // every deny-OOM write is refused now
    try {
      await assert.rejects(server.redis.hincrby(keys.stats, 'x', 1), /OOM/, 'the premise');
      const w = await startWorker(server, config);
      await waitFor('claimed', async () => (await pendingCount(server.redis, keys)) === 0);
      const stats = await w.stop();
      assert.equal(stats.dropped, ids.length);
      assert.equal(await server.redis.hget(keys.stats, 'dropped_pending'), String(ids.length));
    } finally {
      await server.redis.config('SET', 'maxmemory', '0');
    }
  });
});
