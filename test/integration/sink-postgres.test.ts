import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { createRuntime } from '../../src/app/runtime.js';
import { assertSchemaCurrent, migrate } from '../../src/db/migrate.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { ConfigError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { getLatest } from '../../src/sink/latest-cache.js';
import type { SinkStats } from '../../src/sink/result-sink.js';
import { runSink } from '../../src/sink/run-sink.js';
import { createSinkMetrics } from '../../src/sink/sink-metrics.js';
import type { SinkOptionsInput } from '../../src/shared/config/sink-options.js';
import { settleResults } from '../../src/sink/settle-results.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { addResults, platePayload } from '../helpers/results.js';
import { waitFor } from '../helpers/wait-for.js';

async function count(pool: pg.Pool, table: string): Promise<number> {
  const r = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(r.rows[0]!.n);
}

async function pending(redis: Redis, stream: string, group = 'sink'): Promise<number> {
  const summary = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return Number(summary[0]);
}

describe('sink: results streams to PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const server = useRedisServer({
    beforeStop: async () => {
      await db?.drop();
    },
  });
  before(async () => {
    db = await createTestDatabase();
    pool = db.pool();
    await migrate(db.url);
  });

  /** A sink as `framepipe sink` runs it; stop() aborts it like SIGTERM does. */
  function startSink(prefix: string, options: Partial<SinkOptionsInput> = {}) {
    const runtime = createRuntime(
      ConfigSchema.parse({ redis: { port: server.port, prefix }, log: { level: 'silent' } }),
      { logger: silentLogger() },
    );
    const controller = new AbortController();
    const done = runSink(runtime, controller.signal, {
      pgUrl: db.url,
      consumer: 'sink-1',
      blockMs: 50,
      refreshMs: 50,
      claimIntervalMs: 50,
      batchSize: 16,
      ...options,
    });
    return {
      async counter(name: string): Promise<number> {
        const m = await runtime.metrics.registry.getSingleMetric(name)?.get();
        return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
      },
      async stop(): Promise<SinkStats> {
        controller.abort();
        try {
          return await done;
        } finally {
          await runtime.close();
        }
      },
    };
  }

  const rowCount = async () => (await count(pool, 'plate_reads')) + (await count(pool, 'results'));

  async function sinkUntilRows(prefix: string, rows: number): Promise<SinkStats> {
    const sink = startSink(prefix);
    let failure: Error | undefined;
    try {
      await waitFor(`${rows} rows`, async () => (await rowCount()) >= rows);
    } catch (err) {
      failure = err as Error;
    }
    const stats = await sink.stop();
    if (failure !== undefined) {
      throw failure;
    }
    return stats;
  }

  it('writes every result as exactly one row: plate reads to plate_reads, the rest to results', async () => {
    await pool.query('TRUNCATE plate_reads, results');
    const prefix = `test-${randomUUID()}`;
    const ids = await addResults(server.redis, prefix, 'cam1', [
      { processor: 'plate', payload: platePayload('ABC1234', 0.95) },
      { processor: 'plate', payload: platePayload('ab-c 1234', 0.8) },
      { processor: 'plate', payload: platePayload(null) },
      { processor: 'stats', payload: { mean: 120.5 } },
    ]);
    await addResults(server.redis, prefix, 'cam2', [
      { processor: 'plate', payload: platePayload('XYZ9') },
    ]);

    const stats = await sinkUntilRows(prefix, 5);

    assert.equal(stats.inserted, 5);
    const plates = await pool.query<{ plate: string; source: string; result_entry_id: string }>(
      'SELECT plate, source, result_entry_id FROM plate_reads ORDER BY source, id',
    );
    assert.deepEqual(
      plates.rows.map((r) => [r.source, r.plate]),
      [
        ['cam1', 'ABC1234'],
        ['cam1', 'ABC1234'],
        ['cam2', 'XYZ9'],
      ],
    );
    assert.deepEqual(
      plates.rows.slice(0, 2).map((r) => r.result_entry_id),
      ids.slice(0, 2),
    );
    assert.equal(await count(pool, 'results'), 2);
    assert.equal(await pending(server.redis, sourceKeys(prefix, 'cam1').results), 0);
    const latest = await getLatest(server.redis, prefix, 'cam1');
    assert.equal(latest?.id, ids[3]);
    assert.equal(latest?.processor, 'stats');
  });

  it('stores the capture time to the microsecond and the bounding box as JSON', async () => {
    await pool.query('TRUNCATE plate_reads, results');
    const prefix = `test-${randomUUID()}`;
    const captureUs = 1_750_000_000_123_456;
    await addResults(server.redis, prefix, 'cam1', [
      { processor: 'plate', payload: platePayload('KL01AB', 0.5), captureUs },
    ]);
    await sinkUntilRows(prefix, 1);
    const r = await pool.query<{ us: string; bbox: unknown; confidence: number }>(
      `SELECT (extract(epoch FROM captured_at) * 1000000)::bigint AS us, bbox, confidence FROM plate_reads`,
    );
    assert.equal(r.rows[0]!.us, String(captureUs));
    assert.deepEqual(r.rows[0]!.bbox, { x: 10, y: 20, w: 120, h: 30 });
    assert.equal(r.rows[0]!.confidence, 0.5);
  });

  it('a batch committed but never acked adds no second row when it is replayed', async () => {
    await pool.query('TRUNCATE plate_reads, results');
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    await addResults(server.redis, prefix, 'cam1', [
      { processor: 'plate', payload: platePayload('AAA111') },
      { processor: 'stats', payload: {} },
    ]);
    const entries = (await server.redis.xrange(keys.results, '-', '+')).map(([id, fields]) => ({
      id,
      fields: fields.map((f) => Buffer.from(f)),
    }));
    const deps = {
      redis: server.redis,
      pg: pool,
      prefix,
      group: 'sink',
      metrics: createSinkMetrics(new Registry()),
      logger: silentLogger(),
    };
    await server.redis.xgroup('CREATE', keys.results, 'sink', '0');
    const batch = [{ source: { source: 'cam1', keys }, entries }];

    const first = await settleResults(deps, batch);
    const replay = await settleResults(deps, batch);

    assert.deepEqual([first.inserted, first.duplicates], [2, 0]);
    assert.deepEqual([replay.inserted, replay.duplicates], [0, 2]);
    assert.equal((await count(pool, 'plate_reads')) + (await count(pool, 'results')), 2);
  });

  it('keeps a batch pending while PostgreSQL refuses it, and writes it once it can', async () => {
    await pool.query('TRUNCATE plate_reads, results');
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    await addResults(server.redis, prefix, 'cam1', [
      { processor: 'plate', payload: platePayload('BBB222') },
      { processor: 'plate', payload: platePayload('CCC333') },
    ]);
    await pool.query('ALTER TABLE plate_reads RENAME TO plate_reads_away');
    const sink = startSink(prefix);
    try {
      await waitFor(
        'a failed batch',
        async () => (await sink.counter('framepipe_sink_errors_total')) > 0,
      );
      assert.equal(await pending(server.redis, keys.results), 2);
      await pool.query('ALTER TABLE plate_reads_away RENAME TO plate_reads');
      await waitFor('rows after recovery', async () => (await count(pool, 'plate_reads')) === 2);
      await waitFor('acked', async () => (await pending(server.redis, keys.results)) === 0);
    } finally {
      await pool.query('ALTER TABLE IF EXISTS plate_reads_away RENAME TO plate_reads');
      await sink.stop();
    }
    assert.equal(await count(pool, 'plate_reads'), 2);
  });

  it('claims results a dead sink left pending; trimmed ones are acked and counted as dropped', async () => {
    await pool.query('TRUNCATE plate_reads, results');
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const ids = await addResults(server.redis, prefix, 'cam1', [
      { processor: 'plate', payload: platePayload('DDD444') },
      { processor: 'plate', payload: platePayload('EEE555') },
      { processor: 'plate', payload: platePayload('FFF666') },
    ]);
    await server.redis.xgroup('CREATE', keys.results, 'sink', '0');
    // A sink that read everything and died; then the oldest result was trimmed away.
    await server.redis.xreadgroup(
      'GROUP',
      'sink',
      'dead-sink',
      'COUNT',
      10,
      'STREAMS',
      keys.results,
      '>',
    );
    await server.redis.xdel(keys.results, ids[0]!);
    const sink = startSink(prefix, { claimIdleMs: 1 });
    try {
      // The sink counts what it dropped once Redis has answered the XACK, so a poll of
      // XPENDING can see the ack first: wait for both.
      await waitFor(
        'claimed, acked and counted',
        async () =>
          (await pending(server.redis, keys.results)) === 0 &&
          (await sink.counter('framepipe_sink_entries_dropped_total')) >= 1,
      );
      assert.equal(await sink.counter('framepipe_sink_entries_reclaimed_total'), 2);
      assert.equal(await sink.counter('framepipe_sink_entries_dropped_total'), 1);
    } finally {
      await sink.stop();
    }
    const plates = await pool.query<{ plate: string }>(
      'SELECT plate FROM plate_reads ORDER BY plate',
    );
    assert.deepEqual(
      plates.rows.map((r) => r.plate),
      ['EEE555', 'FFF666'],
    );
  });

  it('acks a result entry that is not a valid result without writing a row', async () => {
    await pool.query('TRUNCATE plate_reads, results');
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    await addResults(server.redis, prefix, 'cam1', [{ processor: 'stats', payload: {} }]);
    await server.redis.xadd(keys.results, '*', 'source', 'cam1', 'payload', '{not json');
    await addResults(server.redis, prefix, 'cam1', [{ processor: 'stats', payload: {} }], 1);
    const sink = startSink(prefix);
    try {
      await waitFor('all acked', async () => {
        const groups = (await server.redis.xinfo('GROUPS', keys.results)) as unknown[][];
        return (
          groups.length > 0 &&
          (await pending(server.redis, keys.results)) === 0 &&
          (await rowCount()) === 2 &&
          (await sink.counter('framepipe_sink_entries_dropped_total')) >= 1 // counted after the ack
        );
      });
      assert.equal(await sink.counter('framepipe_sink_entries_dropped_total'), 1);
    } finally {
      await sink.stop();
    }
    assert.equal(await count(pool, 'results'), 2);
  });
});

describe('database migrations', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it('refuse to run a sink on an unmigrated database, then apply once and are idempotent', async () => {
    const pool = db.pool();
    await assert.rejects(assertSchemaCurrent(pool), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, 'FRAMEPIPE_ERR_CONFIG');
      return true;
    });
    const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
    const again = await migrate(pool);
    assert.deepEqual([...a.applied, ...b.applied], [1]);
    assert.deepEqual(again, { applied: [], current: 1 });
    await assertSchemaCurrent(pool);
    const tables = await pool.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    assert.deepEqual(
      tables.rows.map((r) => r.t),
      ['plate_reads', 'results', 'schema_migrations'],
    );
  });
});
