import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { pairsToObject } from '../../src/shared/redis/stream-info.js';
import { consumersToRemove } from '../../src/workers/consumer-janitor.js';
import { createWorker } from '../../src/workers/worker.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { keysOf, putFrames, testConfig } from '../helpers/worker-fixtures.js';
import { assertInvariant } from './helpers/invariant.js';

async function consumers(redis: Redis, stream: string): Promise<Map<string, number>> {
  const rows = (await redis.xinfo('CONSUMERS', stream, 'workers')) as unknown[][];
  return new Map(
    rows.map((r) => [String(pairsToObject(r).name), Number(pairsToObject(r).pending)]),
  );
}

describe('idle consumer cleanup (XGROUP DELCONSUMER drops pending entries)', () => {
  const server = useRedisServer();

  it('picks only idle consumers that hold nothing, never itself', () => {
    const rows = [
      { name: 'me', pending: 0, idleMs: 10_000 },
      { name: 'dead-holding', pending: 3, idleMs: 10_000 },
      { name: 'dead-empty', pending: 0, idleMs: 10_000 },
      { name: 'busy', pending: 0, idleMs: 5 },
    ];
    assert.deepEqual(consumersToRemove(rows, 'me', 1000), ['dead-empty']);
  });

  it('a dead consumer holding frames is removed only after its frames were reclaimed; none is lost', async () => {
    // Idle threshold far below claimIdleMs: deleting before claiming would drop 5 frames.
    const config = testConfig(server, {
      claimIdleMs: 1500,
      claimIntervalMs: 50,
      idleConsumerMs: 100,
    });
    const keys = keysOf(config);
    const ids = await putFrames(server.redis, config, 20);
    await server.redis.xreadgroup(
      'GROUP',
      'workers',
      'dead',
      'COUNT',
      5,
      'STREAMS',
      keys.frames,
      '>',
    );
    await server.redis.xgroup('CREATECONSUMER', keys.frames, 'workers', 'empty');
    const [cmd, block] = [server.client(), server.client()];
    const worker = await createWorker(config, {
      redis: cmd,
      blockingRedis: block,
      logger: silentLogger(),
      metrics: createMetrics(new Registry()),
    });
    const controller = new AbortController();
    const done = worker.run(controller.signal);
    const seen: Map<string, number>[] = [];
    await waitFor('both idle consumers removed', async () => {
      const c = await consumers(server.redis, keys.frames);
      seen.push(c);
      return !c.has('dead') && !c.has('empty');
    });
    await waitFor('20 results', async () => (await server.redis.xlen(keys.results)) === 20);
    controller.abort();
    await done;
    cmd.disconnect();
    block.disconnect();

    assert.ok(
      seen.some((c) => c.get('dead') === 5),
      'dead was kept while it held frames',
    );
    assert.ok(
      (await consumers(server.redis, keys.frames)).has(config.worker.consumer!),
      'never itself',
    );
    const s = await assertInvariant(server.redis, keys);
    assert.equal(s.processed, ids.length);
  });
});
