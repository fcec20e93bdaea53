import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from 'ioredis';
import { Registry } from 'prom-client';
import { ConfigSchema, type Config } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis } from '../../src/shared/redis/create-redis.js';
import {
  readDurableCounters,
  type DurableCounters,
} from '../../src/shared/redis/durable-counters.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { createProducer, type ProducerStats } from '../../src/producer/producer.js';
import { createWorker, type Worker } from '../../src/workers/worker.js';
import { formatStatus } from '../../src/status/format-status.js';
import { readStatus } from '../../src/status/read-status.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { waitForValue } from '../helpers/wait-for.js';

const SOURCES = ['cam1', 'cam2', 'cam3', 'cam4', 'cam5', 'cam6', 'cam7', 'cam8'];

function clusterConfig(
  cluster: RedisCluster,
  prefix: string,
  producer: Partial<Config['producer']> = {},
): Config {
  return ConfigSchema.parse({
    redis: { mode: 'cluster', clusterNodes: cluster.nodes, prefix },
    producer: { fps: 1000, width: 96, height: 72, ...producer },
    worker: {
      sources: SOURCES,
      processor: 'noop',
      blockMs: 200,
      claimIdleMs: 1000,
      claimIntervalMs: 200,
    },
    log: { level: 'silent' },
  });
}

async function produce(config: Config, source: string, frames: number): Promise<ProducerStats> {
  const redis = createRedis(config.redis, { name: `producer-${source}` });
  const producer = createProducer(
    { ...config, producer: { ...config.producer, source, frames } },
    { redis, logger: silentLogger(), metrics: createMetrics(new Registry()) },
  );
  try {
    return await producer.run(new AbortController().signal);
  } finally {
    await producer.close();
    await closeRedis(redis);
  }
}

async function startWorker(
  config: Config,
  name: string,
): Promise<{ worker: Worker; stop: () => Promise<void> }> {
  const redis = createRedis(config.redis, { name });
  const blockingRedis = createRedis(config.redis, { name: `${name}-blocking`, blocking: true });
  const worker = await createWorker(
    { ...config, worker: { ...config.worker, consumer: name } },
    { redis, blockingRedis, logger: silentLogger(), metrics: createMetrics(new Registry()) },
  );
  const controller = new AbortController();
  const done = worker.run(controller.signal);
  return {
    worker,
    async stop() {
      controller.abort();
      await done;
      await closeRedis(redis);
      await closeRedis(blockingRedis);
    },
  };
}

/** Result counts per source; during a failover a read may fail: report -1 and poll again. */
async function resultCounts(client: Cluster, prefix: string): Promise<number[]> {
  return Promise.all(
    SOURCES.map((s) => client.xlen(sourceKeys(prefix, s).results).catch(() => -1)),
  );
}

describe('on a 3-master, 3-replica Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  before(async () => {
    cluster = await startRedisCluster(3, 1);
    client = await cluster.client();
  });
  after(async () => cluster.stop());

  it(
    '8 sources spread over the shards and every frame gets one result; a master failover is survived',
    { timeout: 180_000 },
    async () => {
      const prefix = `test-${randomUUID()}`;
      const config = clusterConfig(cluster, prefix);
      const slots = new Set(
        await Promise.all(
          SOURCES.map(async (s) =>
            String(await client.cluster('KEYSLOT', sourceKeys(prefix, s).frames)),
          ),
        ),
      );
      assert.ok(slots.size >= 2, 'sources land in different slots');

      const w1 = await startWorker(config, 'w1');
      const statusRedis = createRedis(config.redis, { name: 'status' });
      const w2 = await startWorker(config, 'w2');
      try {
        await Promise.all(SOURCES.map((s) => produce(config, s, 40)));
        await waitForValue(
          '40 results per source',
          () => resultCounts(client, prefix),
          (c) => c.every((n) => n === 40),
          { timeoutMs: 60_000, intervalMs: 100 },
        );
        const status = await readStatus(statusRedis, prefix);
        assert.deepEqual(
          status.map((s) => s.source),
          SOURCES,
        );
        assert.ok(new Set(status.map((s) => s.shard)).size >= 2, 'sources on different shards');
        assert.match(formatStatus(status), /^SHARD\s+SOURCE/);

        // Kill one master while 8 producers write; its replica takes over. Writes the old master
        // acknowledged but had not replicated are lost (asynchronous replication: docs/scaling.md).
        const [victim] = await cluster.masters();
        const writing = Promise.all(
          SOURCES.map((s) =>
            produce({ ...config, producer: { ...config.producer, fps: 100 } }, s, 60),
          ),
        );
        await new Promise((r) => setTimeout(r, 200));
        await cluster.killNode(victim!);
        await cluster.waitHealthy(30_000);
        const told = await writing;
        // Each shard's counters and streams change together (`produced` is the stream's own
        // entries-added; a settle script replicates as one unit), so on the surviving nodes
        // every source balances once the workers catch up.
        const counters = () =>
          Promise.all(
            SOURCES.map((s) =>
              readDurableCounters(client, sourceKeys(prefix, s)).catch(() => undefined),
            ),
          );
        const settled = (c: DurableCounters | undefined) =>
          c !== undefined && c.produced > 0 && c.produced === c.processed + c.dead_lettered;
        const final = await waitForValue(
          'balanced counters',
          counters,
          (all) => all.every(settled),
          { timeoutMs: 90_000, intervalMs: 100 },
        );
        let lost = 0;
        for (const [i, s] of SOURCES.entries()) {
          const results = await client.xrange(sourceKeys(prefix, s).results, '-', '+');
          const frames = results.map(([, f]) => f[f.indexOf('frame') + 1]);
          assert.equal(new Set(frames).size, frames.length, `one result per frame of ${s}`);
          assert.equal(final[i]!.processed, results.length, `${s}: processed = results`);
          // A frame the producer was told is stored but the new master never got: the shard's
          // counter lost it too, so compare with what the producer itself counted.
          lost += 40 + told[i]!.produced - final[i]!.produced;
        }
        // Reported, not asserted: it depends on what was in flight when the master died.
        console.log(
          `# cluster failover under load: ${lost} of ${SOURCES.length * 100} acknowledged frames lost`,
        );
      } finally {
        await w1.stop();
        await w2.stop();
        await closeRedis(statusRedis);
      }
    },
  );
});
