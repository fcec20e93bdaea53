import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import type pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import type { SinkStats } from '../../src/sink/result-sink.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { addResults, platePayload } from '../helpers/results.js';
import { waitFor } from '../helpers/wait-for.js';

const RUN_SINK = fileURLToPath(new URL('./fixtures/run-sink.ts', import.meta.url));
const RESULTS = 40;
const BATCH = 16;

describe('sink process faults', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const children: ChildProcess[] = [];
  const server = useRedisServer({
    beforeStop: async () => {
      children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .forEach((c) => c.kill('SIGKILL'));
      await db?.drop();
    },
  });
  before(async () => {
    db = await createTestDatabase();
    pool = db.pool();
    await migrate(db.url);
  });

  function spawnSink(prefix: string, consumer: string, claimIdleMs = 30_000) {
    const proc = spawn(process.execPath, ['--import', 'tsx', RUN_SINK], {
      env: {
        ...process.env,
        REDIS_PORT: String(server.port),
        PREFIX: prefix,
        PG_URL: db.url,
        CONSUMER: consumer,
        CLAIM_IDLE_MS: String(claimIdleMs),
        BATCH_SIZE: String(BATCH),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(proc);
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    return {
      proc,
      async kill(): Promise<void> {
        const exited = once(proc, 'exit');
        proc.kill('SIGKILL');
        await exited;
      },
      async term(): Promise<SinkStats> {
        const exited = once(proc, 'exit');
        proc.kill('SIGTERM');
        await exited;
        return (JSON.parse(out.trim().split('\n').at(-1)!) as { stats: SinkStats }).stats;
      },
    };
  }

  const rows = async () =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM plate_reads')).rows[0]!.n);
  const distinctRows = async () =>
    Number(
      (
        await pool.query<{ n: string }>(
          'SELECT count(DISTINCT (source, result_entry_id)) AS n FROM plate_reads',
        )
      ).rows[0]!.n,
    );
  const backends = async (consumer: string, lockWait: boolean) =>
    Number(
      (
        await pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE application_name = $1 AND ($2::boolean = false OR wait_event_type = 'Lock')`,
          [`framepipe-sink:${consumer}`, lockWait],
        )
      ).rows[0]!.n,
    );
  async function consumerPending(stream: string, consumer: string): Promise<number> {
    const rows = (await server.redis
      .xinfo('CONSUMERS', stream, 'sink')
      .catch(() => [])) as unknown[][];
    const row = rows.find((r) => r[r.indexOf('name') + 1] === consumer);
    return row === undefined ? 0 : Number(row[row.indexOf('pending') + 1]);
  }

  /** Holds an ACCESS EXCLUSIVE lock so a sink's INSERT waits inside its open transaction. */
  async function lockTable(): Promise<() => Promise<void>> {
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE plate_reads IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await client.query('ROLLBACK');
      client.release();
    };
  }

  async function freshResults(): Promise<{ prefix: string; stream: string }> {
    await pool.query('TRUNCATE plate_reads, results');
    const prefix = `test-${randomUUID()}`;
    const plates = Array.from({ length: RESULTS }, (_, i) => ({
      processor: 'plate',
      payload: platePayload(`KIL${String(i).padStart(3, '0')}`),
    }));
    await addResults(server.redis, prefix, 'cam1', plates);
    return { prefix, stream: sourceKeys(prefix, 'cam1').results };
  }

  it('when a sink is SIGKILLed inside its transaction, the restarted sink writes each result exactly once', async () => {
    const { prefix, stream } = await freshResults();
    const unlock = await lockTable();
    const victim = spawnSink(prefix, 'sink-a');
    await waitFor(
      'victim blocked mid-batch',
      async () =>
        (await consumerPending(stream, 'sink-a')) > 0 && (await backends('sink-a', true)) > 0,
    );

    await victim.kill();
    await unlock();
    // The orphaned backend rolls back once it notices its client is gone.
    await waitFor('orphan backend gone', async () => (await backends('sink-a', false)) === 0);
    assert.ok((await consumerPending(stream, 'sink-a')) > 0);
    const restarted = spawnSink(prefix, 'sink-a');
    await waitFor(
      'all written and acked',
      async () => (await rows()) === RESULTS && (await consumerPending(stream, 'sink-a')) === 0,
    );
    const stats = await restarted.term();

    assert.equal(await rows(), RESULTS);
    assert.equal(await distinctRows(), RESULTS);
    assert.equal(stats.inserted, RESULTS);
  });

  it('when a sink is SIGKILLed after COMMIT but before XACK, a peer claims the batch and adds no second row', async () => {
    const { prefix, stream } = await freshResults();
    const unlock = await lockTable();
    const victim = spawnSink(prefix, 'sink-b');
    await waitFor(
      'victim blocked mid-batch',
      async () =>
        (await consumerPending(stream, 'sink-b')) > 0 && (await backends('sink-b', true)) > 0,
    );
    // Writes to Redis wait (XACK included); the transaction may now commit.
    await server.redis.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    try {
      await unlock();
      await waitFor('batch committed', async () => (await rows()) > 0);
      await victim.kill();
    } finally {
      await server.redis.call('CLIENT', 'UNPAUSE');
    }
    const committed = await rows();
    assert.ok(
      (await consumerPending(stream, 'sink-b')) >= committed,
      'the committed batch is still pending',
    );

    const peer = spawnSink(prefix, 'sink-c', 1);
    await waitFor('all written and acked', async () => {
      const summary = (await server.redis.xpending(stream, 'sink')) as [number, ...unknown[]];
      return Number(summary[0]) === 0 && (await rows()) === RESULTS;
    });
    const stats = await peer.term();

    assert.equal(await rows(), RESULTS);
    assert.equal(await distinctRows(), RESULTS);
    assert.ok(stats.duplicates >= committed, `replayed ${stats.duplicates} of ${committed}`);
    assert.ok(stats.reclaimed >= committed);
  });
});
