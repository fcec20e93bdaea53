import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  corruptJpeg,
  dlqEntries,
  fixturePath,
  keysOf,
  makeJpeg,
  pendingCount,
  putFrames,
  resultFrameIds,
  startWorker,
  testConfig,
} from '../helpers/worker-fixtures.js';
import type { Config } from '../../src/shared/config/schema.js';

describe('worker dead-lettering', () => {
  const server = useRedisServer();

  /** A worker on what is queued, stopped once `settled` entries have a result or a dead letter. */
  const runUntilSettled = async (config: Config, settled: number) => {
    const keys = keysOf(config);
    const w = await startWorker(server, config);
    await waitFor(
      `${settled} settled`,
      async () =>
        (await server.redis.xlen(keys.results)) + (await server.redis.xlen(keys.dlq)) >= settled,
    );
    const stats = await w.stop();
    return { stats, metrics: w.metrics, dlq: await dlqEntries(server.redis, keys) };
  };

  /** One frame for `worker`'s processor, retried quickly: its dead letter and the stats. */
  const deadLetterOfOne = async (worker: Partial<Config['worker']>) => {
    const config = testConfig(server, {
      maxDeliveries: 2,
      claimIdleMs: 50,
      claimIntervalMs: 20,
      ...worker,
    });
    await putFrames(server.redis, config, 1);
    const { stats, dlq } = await runUntilSettled(config, 1);
    return { stats, letter: dlq[0] };
  };

  it('a corrupt JPEG lands in the DLQ with its reason while the others are processed', async () => {
    const config = testConfig(server, { processor: 'stats' });
    const keys = keysOf(config);
    const jpeg = await makeJpeg();
    const ids = await putFrames(server.redis, config, 20, (seq) =>
      seq === 7 ? corruptJpeg() : jpeg,
    );
    const { stats, dlq, metrics } = await runUntilSettled(config, 20);
    assert.equal(dlq.length, 1);
    assert.equal(dlq[0]?.seq, '7');
    assert.equal(dlq[0]?.dlq_code, 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.match(dlq[0]?.dlq_reason ?? '', /undecodable JPEG/);
    const frames = await resultFrameIds(server.redis, keys);
    assert.deepEqual(new Set(frames), new Set(ids.filter((_, i) => i !== 7)));
    assert.equal(await pendingCount(server.redis, keys), 0);
    assert.equal(stats.deadLettered, 1);
    assert.equal(await server.redis.hget(keys.stats, 'dead_lettered'), '1');
    const metric = await metrics.framesDeadLettered.get();
    const poison = metric.values.find((v) => v.labels.reason === 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.equal(poison?.value, 1);
  });

  it('an entry with a missing field goes to the DLQ at once, naming the field', async () => {
    const config = testConfig(server);
    const keys = keysOf(config);
    await putFrames(server.redis, config, 3);
    await server.redis.xadd(
      keys.frames,
      '5000-0',
      'v',
      '1',
      'source',
      'cam1',
      'ts',
      '1',
      'w',
      '1',
      'h',
      '1',
      'fmt',
      'jpeg',
      'data',
      'x',
    );
    const { stats, dlq } = await runUntilSettled(config, 4);
    assert.equal(dlq.length, 1);
    assert.equal(dlq[0]?.dlq_code, 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.match(dlq[0]?.dlq_reason ?? '', /seq is missing/);
    assert.equal(dlq[0]?.dlq_deliveries, '1');
    assert.equal(stats.processed, 3);
    assert.equal(await pendingCount(server.redis, keys), 0);
  });

  it('a frame claiming another source than its stream goes to the DLQ at once, naming both', async () => {
    const config = testConfig(server, { processor: 'stats' });
    const keys = keysOf(config);
    await putFrames(server.redis, config, 2);
    const jpeg = await makeJpeg();
    await server.redis.xadd(
      keys.frames,
      '5000-0',
      ...['v', '1', 'source', 'other', 'seq', '10', 'ts', '1', 'w', '32', 'h', '24'],
      ...['fmt', 'jpeg', 'data', jpeg],
    );
    const { stats, dlq } = await runUntilSettled(config, 3);
    assert.equal(dlq.length, 1);
    assert.equal(dlq[0]?.dlq_code, 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.match(dlq[0]?.dlq_reason ?? '', /source "other" is not its stream's source "cam1"/);
    assert.equal(stats.processed, 2);
    assert.equal(await pendingCount(server.redis, keys), 0);
  });

  it('a failing processor is retried, then dead-lettered after maxDeliveries with the last error', async () => {
    const config = testConfig(server, {
      processor: fixturePath('failing.ts'),
      maxDeliveries: 3,
      claimIdleMs: 50,
      claimIntervalMs: 20,
    });
    const keys = keysOf(config);
    await putFrames(server.redis, config, 2);
    const { stats, dlq } = await runUntilSettled(config, 2);
    for (const entry of dlq) {
      assert.equal(entry.dlq_code, 'FRAMEPIPE_ERR_MAX_DELIVERIES');
      assert.match(entry.dlq_reason ?? '', /model exploded/);
      assert.equal(entry.dlq_deliveries, '4');
    }
    assert.equal(stats.failed, 6, 'three attempts per frame');
    assert.equal(stats.reclaimed, 6, 'two redeliveries per frame, then the one that dead-letters');
    assert.equal(await server.redis.xlen(keys.results), 0);
    assert.equal(await pendingCount(server.redis, keys), 0);
    assert.equal(await server.redis.hlen(keys.errors), 0, 'settling clears the last error');
  });

  // A pool thread's start (loading the module) counts too: 3 s leaves room for a cold one.
  for (const [kind, fixture, timeoutMs] of [
    ['in-line', 'hang-on-seq-1.ts', 300],
    ['pool', 'spin-on-seq-1-pool.ts', 3000],
  ] as const) {
    it(`a ${kind} processor stuck on a frame: the frame times out, is retried, then dead-lettered; the rest flow`, async () => {
      const config = testConfig(server, {
        processor: fixturePath(fixture),
        processTimeoutMs: timeoutMs,
        maxDeliveries: 2,
        maxInFlight: 1, // without the deadline the stuck frame would hold the only slot
        threads: 1,
        claimIdleMs: 50,
        claimIntervalMs: 20,
      });
      const keys = keysOf(config);
      await putFrames(server.redis, config, 4);
      const { stats, dlq } = await runUntilSettled(config, 4);
      assert.equal(
        dlq.length,
        1,
        JSON.stringify(dlq.map((e) => [e.seq, e.dlq_code, e.dlq_reason])),
      );
      assert.equal(dlq[0]?.seq, '1');
      assert.equal(dlq[0]?.dlq_code, 'FRAMEPIPE_ERR_MAX_DELIVERIES');
      assert.match(dlq[0]?.dlq_reason ?? '', new RegExp(`processTimeoutMs \\(${timeoutMs} ms\\)`));
      assert.equal(await server.redis.xlen(keys.results), 3);
      assert.equal(stats.failed, 2, 'two attempts timed out');
      assert.equal(await pendingCount(server.redis, keys), 0);
      if (kind === 'in-line') {
        // The same module instance the worker imported: its signal aborted at each deadline.
        const { aborts } = (await import(pathToFileURL(fixturePath(fixture)).href)) as {
          aborts: string[];
        };
        assert.deepEqual(aborts, [
          'FRAMEPIPE_ERR_PROCESS_TIMEOUT',
          'FRAMEPIPE_ERR_PROCESS_TIMEOUT',
        ]);
      }
    });
  }

  it('a result JSON cannot hold is dead-lettered at once with that reason, not retried', async () => {
    const { stats, letter } = await deadLetterOfOne({ processor: fixturePath('bigint-result.ts') });
    assert.match(letter?.dlq_reason ?? '', /result cannot be stored as JSON: .*BigInt/);
    assert.equal(letter?.dlq_code, 'FRAMEPIPE_ERR_RESULT_UNSTORABLE');
    assert.equal(stats.failed, 1, 'processed once: the same result would fail alike');
  });

  it('a pool result that cannot leave its thread (a function) is dead-lettered at once, saying so', async () => {
    const { stats, letter } = await deadLetterOfOne({
      processor: fixturePath('function-result-pool.ts'),
      threads: 1,
    });
    assert.equal(letter?.dlq_code, 'FRAMEPIPE_ERR_RESULT_UNSTORABLE');
    assert.match(letter?.dlq_reason ?? '', /cannot leave its pool thread/);
    assert.equal(stats.failed, 1, 'not retried: it would fail alike');
  });

  it('a plain object thrown on a pool thread keeps its code and message', async () => {
    const { letter } = await deadLetterOfOne({
      processor: fixturePath('plain-object-poison-pool.ts'),
      threads: 1,
    });
    assert.equal(letter?.dlq_code, 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.match(letter?.dlq_reason ?? '', /model says no \(plain object\)/);
  });

  it('a stop with a pool task still running ends its thread at the drain deadline, not a second one later', async () => {
    const config = testConfig(server, {
      processor: fixturePath('spin-on-seq-1-pool.ts'),
      threads: 1,
      shutdownTimeoutMs: 2000,
    });
    const keys = keysOf(config);
    await putFrames(server.redis, config, 2);
    const w = await startWorker(server, config);
    await waitFor('frame 0 done', async () => (await server.redis.xlen(keys.results)) >= 1);
    const started = Date.now();
    await w.stop();
    // The drain deadline (2 s), then the thread is ended; a graceful pool close would wait
    // closeTimeout (another 2 s) for a task that never ends.
    assert.ok(Date.now() - started < 3500, `stopped after ${Date.now() - started} ms`);
    assert.equal(await pendingCount(server.redis, keys), 1, 'the stuck frame is left for a peer');
  });
});
