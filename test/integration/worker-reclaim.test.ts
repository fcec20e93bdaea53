import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import type { Delivery, FrameHandler } from '../../src/workers/frame-handler.js';
import { InFlight } from '../../src/workers/in-flight.js';
import { Reclaimer } from '../../src/workers/reclaimer.js';
import { SourceRegistry } from '../../src/workers/source-registry.js';
import { emptyStats } from '../../src/workers/worker-stats.js';
import { Registry } from 'prom-client';
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

describe('worker reclaiming', () => {
  const server = useRedisServer();

  /** A consumer that reads `n` entries and dies without acking them. */
  const dieHolding = (config: ReturnType<typeof testConfig>, consumer: string, n: number) =>
    server.redis.xreadgroup(
      'GROUP',
      config.worker.group,
      consumer,
      'COUNT',
      n,
      'STREAMS',
      keysOf(config).frames,
      '>',
    );

  it('follows the XAUTOCLAIM cursor until 0-0 in one scan: more pending than one COUNT page', async () => {
    const config = testConfig(server);
    const keys = keysOf(config);
    const ids = await putFrames(server.redis, config, 300, () => Buffer.from([0xff, 0xd8, 1]));
    await dieHolding(config, 'dead', 300);
    const sources = new SourceRegistry({
      redis: server.redis,
      prefix: config.redis.prefix,
      group: 'workers',
      configured: ['cam1'],
      logger: silentLogger(),
    });
    await sources.refresh();
    const dispatched: Delivery[] = [];
    const handler = {
      dispatch: (d: Delivery) => dispatched.push(d) > 0,
      reportGone: () => undefined,
    } as unknown as FrameHandler;
    const reclaimer = new Reclaimer({
      redis: server.redis,
      group: 'workers',
      consumer: 'rescuer',
      claimIdleMs: 0,
      claimIntervalMs: 1000,
      pageSize: 16,
      maxInFlight: 1000,
      sources,
      handler,
      inFlight: new InFlight(),
      logger: silentLogger(),
      metrics: createMetrics(new Registry()),
      stats: emptyStats(),
    });
    const claimed = await reclaimer.claimAll(sources.list()[0]!);
    assert.equal(claimed, 300);
    assert.deepEqual(
      dispatched.map((d) => d.id),
      ids,
    );
    assert.ok(dispatched.every((d) => d.deliveries === 2));
    const consumers = (await server.redis.xinfo(
      'CONSUMERS',
      keys.frames,
      'workers',
    )) as unknown[][];
    const rescuer = consumers.find((c) => c[1] === 'rescuer')!;
    assert.equal(rescuer[rescuer.indexOf('pending') + 1], 300);
  });

  it('a worker reclaims every frame a dead consumer held and gives each one result', async () => {
    const config = testConfig(server, { readCount: 16, maxInFlight: 16, claimIdleMs: 50 });
    const keys = keysOf(config);
    const ids = await putFrames(server.redis, config, 200);
    await dieHolding(config, 'dead', 200);
    const w = await startWorker(server, config);
    await waitFor('200 results', async () => (await server.redis.xlen(keys.results)) >= 200);
    const stats = await w.stop();
    assert.deepEqual(new Set(await resultFrameIds(server.redis, keys)), new Set(ids));
    assert.equal(await server.redis.xlen(keys.results), 200);
    assert.equal(stats.reclaimed, 200);
    assert.equal(await pendingCount(server.redis, keys), 0);
  });

  it('a slow but alive worker keeps its frames: the heartbeat stops a peer from stealing them', async () => {
    // Each frame takes three times claimIdleMs: only the heartbeat keeps it from going idle.
    process.env.FRAMEPIPE_TEST_SLOW_MS = '900';
    const slow = testConfig(server, {
      processor: fixturePath('slow.ts'),
      claimIdleMs: 300,
      maxInFlight: 4,
      readCount: 4,
    });
    const keys = keysOf(slow);
    await putFrames(server.redis, slow, 4);
    const a = await startWorker(server, {
      ...slow,
      worker: { ...slow.worker, consumer: 'slow-a' },
    });
    const b = await startWorker(server, {
      ...slow,
      worker: { ...slow.worker, consumer: 'peer-b', processor: 'noop' },
    });
    await waitFor('4 results', async () => (await server.redis.xlen(keys.results)) >= 4);
    const [statsA, statsB] = [await a.stop(), await b.stop()];
    assert.equal(statsA.processed + statsB.processed, 4);
    assert.equal(statsB.reclaimed, 0);
    assert.equal(await server.redis.xlen(keys.results), 4);
  });
});
