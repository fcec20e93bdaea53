import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourcesKey } from '../../src/shared/redis/keys.js';
import { encodeFrameFields } from '../../src/shared/stream-entries.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  fixturePath,
  keysOf,
  makeJpeg,
  pendingCount,
  putFrames,
  resultFrameIds,
  startWorker,
  testConfig,
} from '../helpers/worker-fixtures.js';

describe('worker pipeline', () => {
  const server = useRedisServer();

  it('gives each of 500 frames exactly one result and leaves nothing pending', async () => {
    const config = testConfig(server, { processor: 'stats', readCount: 32, maxInFlight: 32 });
    const keys = keysOf(config);
    const jpeg = await makeJpeg();
    const ids = await putFrames(server.redis, config, 500, () => jpeg);
    const w = await startWorker(server, config);
    await waitFor('500 results', async () => (await server.redis.xlen(keys.results)) >= 500);
    const stats = await w.stop();

    const frames = await resultFrameIds(server.redis, keys);
    assert.equal(frames.length, 500);
    assert.deepEqual(new Set(frames), new Set(ids));
    assert.equal(await pendingCount(server.redis, keys), 0);
    assert.equal(await server.redis.hget(keys.stats, 'processed'), '500');
    assert.equal(stats.processed, 500);
    assert.equal(stats.inFlight, 0);
    const [, fields] = (await server.redis.xrange(keys.results, '-', '+', 'COUNT', 1))[0]!;
    const payload = JSON.parse(fields[fields.indexOf('payload') + 1]!) as { width: number };
    assert.equal(payload.width, 64);
  });

  it('runs a pool processor on the Piscina threads end to end', async () => {
    const config = testConfig(server, { processor: fixturePath('checksum-pool.ts'), threads: 2 });
    const keys = keysOf(config);
    await putFrames(server.redis, config, 40);
    const w = await startWorker(server, config);
    await waitFor('40 results', async () => (await server.redis.xlen(keys.results)) >= 40);
    const stats = await w.stop();
    assert.equal(stats.processed, 40);
    const [, fields] = (await server.redis.xrange(keys.results, '-', '+', 'COUNT', 1))[0]!;
    const payload = JSON.parse(fields[fields.indexOf('payload') + 1]!) as { isMainThread: boolean };
    assert.equal(payload.isMainThread, false);
    assert.equal(fields[fields.indexOf('processor') + 1], 'checksum');
  });

  it('discovers sources from the sources set, including one added while running', async () => {
    const config = testConfig(server, { sources: [] });
    await server.redis.sadd(sourcesKey(config.redis.prefix), 'camA');
    await putFrames(server.redis, config, 5, undefined, 'camA');
    const w = await startWorker(server, config);
    await waitFor(
      'camA done',
      async () => (await server.redis.xlen(keysOf(config, 'camA').results)) >= 5,
    );
    await server.redis.sadd(sourcesKey(config.redis.prefix), 'camB');
    await putFrames(server.redis, config, 5, undefined, 'camB');
    await waitFor(
      'camB done',
      async () => (await server.redis.xlen(keysOf(config, 'camB').results)) >= 5,
    );
    const stats = await w.stop();
    assert.equal(stats.processed, 10);
  });

  it('when the signal aborts with frames in flight, finishes and settles them: nothing pending', async () => {
    process.env.FRAMEPIPE_TEST_SLOW_MS = '150';
    const config = testConfig(server, {
      processor: fixturePath('slow.ts'),
      maxInFlight: 8,
      readCount: 8,
    });
    const keys = keysOf(config);
    await putFrames(server.redis, config, 40);
    const w = await startWorker(server, config);
    await waitFor('frames in flight', () => w.worker.stats().inFlight > 0);
    const stats = await w.stop();
    assert.equal(w.worker.ready(), false);
    assert.equal(await pendingCount(server.redis, keys), 0);
    assert.ok(stats.processed > 0);
    const frames = await resultFrameIds(server.redis, keys);
    assert.equal(frames.length, stats.processed);
    assert.equal(new Set(frames).size, frames.length);
    // What was never read stays unread for the next worker, not lost.
    const groups = (await server.redis.xinfo('GROUPS', keys.frames)) as unknown[][];
    const lag = Number(groups[0]![groups[0]!.indexOf('lag') + 1]);
    assert.equal(lag, 40 - stats.processed);
  });

  it('a consumer group destroyed under a running worker is made again after the newest settled frame: no frame gets a second result', async () => {
    const config = testConfig(server, { readCount: 8, maxInFlight: 8 });
    const keys = keysOf(config);
    const jpeg = await makeJpeg();
    const first = await putFrames(server.redis, config, 30, () => jpeg);
    const w = await startWorker(server, config);
    await waitFor('first settled', async () => (await server.redis.xlen(keys.results)) === 30);
    await server.redis.xgroup('DESTROY', keys.frames, config.worker.group);
    const later: string[] = [];
    for (let seq = 30; seq < 40; seq++) {
      const fields = encodeFrameFields({
        source: 'cam1',
        seq,
        captureUs: Date.now() * 1000,
        width: 64,
        height: 48,
        format: 'jpeg',
        data: jpeg,
      });
      later.push((await server.redis.xadd(keys.frames, `${5000 + seq}-0`, ...fields)) as string);
    }
    await waitFor('later settled', async () => (await server.redis.xlen(keys.results)) >= 40);
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for duplicates to show
    await w.stop();
    const settled = await resultFrameIds(server.redis, keys);
    assert.equal(settled.length, 40, 'one result per frame');
    assert.deepEqual(new Set(settled), new Set([...first, ...later]));
  });
});
