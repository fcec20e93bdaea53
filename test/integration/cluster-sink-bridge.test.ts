import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis, type Cluster } from 'ioredis';
import { createRuntime } from '../../src/app/runtime.js';
import { runBridge } from '../../src/bridge/run-bridge.js';
import { migrate } from '../../src/db/migrate.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sourcesKey, sourceKeys } from '../../src/shared/redis/keys.js';
import { encodeResultFields } from '../../src/shared/stream-entries.js';
import { runSink } from '../../src/sink/run-sink.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { waitForValue } from '../helpers/wait-for.js';

const SOURCES = ['cam1', 'cam2', 'cam3', 'cam4', 'cam5', 'cam6'];
const PER_SOURCE = 5;

describe('the sink and the bridge on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  let db: TestDatabase;
  before(async () => {
    cluster = await startRedisCluster(3, 0);
    client = await cluster.client();
    db = await createTestDatabase();
    await migrate(db.url, { logger: silentLogger() });
  });
  after(async () => {
    await db.drop();
    await cluster.stop();
  });

  it(
    'read results of sources on different shards: rows in PostgreSQL and envelopes on pub/sub',
    { timeout: 120_000 },
    async () => {
      const prefix = `test-${randomUUID()}`;
      const config = ConfigSchema.parse({
        redis: { mode: 'cluster', clusterNodes: cluster.nodes, prefix },
        bridge: { blockMs: 200, sourcesRefreshMs: 100, resume: false },
        log: { level: 'silent' },
      });
      // PUBLISH reaches every node of a cluster: any node will do for a subscriber.
      const subscriber = new Redis({ port: cluster.nodes[0]!.port });
      const seen: string[] = [];
      subscriber.on('message', (_channel: string, message: string) => seen.push(message));
      await subscriber.subscribe(`${prefix}:core_metrics`);

      const runtime = createRuntime(config, { logger: silentLogger() });
      const controller = new AbortController();
      const sink = runSink(runtime, controller.signal, {
        ...config.sink,
        pgUrl: db.url,
        consumer: 'sink-1',
        blockMs: 100,
        refreshMs: 100,
      });
      const bridge = runBridge(runtime, controller.signal, config.bridge);
      try {
        await new Promise((r) => setTimeout(r, 500)); // the bridge starts from "now"
        for (const source of SOURCES) {
          await client.sadd(sourcesKey(prefix), source);
          for (let seq = 0; seq < PER_SOURCE; seq++) {
            const fields = encodeResultFields({
              source,
              frameId: `${1000 + seq}-0`,
              seq,
              processor: 'plate',
              captureUs: Date.now() * 1000,
              doneUs: Date.now() * 1000,
              durationMs: 1,
              consumer: 'w1',
              payload: { plate: `AB${seq}CD`, confidence: 0.9, bbox: { x: 1, y: 2, w: 3, h: 4 } },
            });
            await client.xadd(sourceKeys(prefix, source).results, '*', ...fields);
          }
        }
        const pool = db.pool();
        const total = SOURCES.length * PER_SOURCE;
        await waitForValue(
          'a row per result',
          async () =>
            Number(
              (await pool.query<{ n: string }>('SELECT count(*) AS n FROM plate_reads')).rows[0]
                ?.n ?? 0,
            ),
          (n) => n === total,
          { timeoutMs: 60_000, intervalMs: 100 },
        );
        await waitForValue(
          'an envelope per result',
          () => Promise.resolve(seen.length),
          (n) => n >= total,
          { timeoutMs: 60_000, intervalMs: 100 },
        );
        const sources = new Set(
          seen.map((m) => (JSON.parse(m) as { payload: { source: string } }).payload.source),
        );
        assert.equal(sources.size, SOURCES.length);
      } finally {
        controller.abort();
        await Promise.allSettled([sink, bridge]);
        await runtime.close();
        subscriber.disconnect();
      }
    },
  );
});
