import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { sourceKeys, type SourceKeys } from '../../src/shared/redis/keys.js';
import { defineSettleResults, settleResults } from '../../src/shared/redis/settle-batch.js';
import { useRedisServer } from '../helpers/redis-server.js';

const GROUP = 'workers';

describe('settleResults: many results, one script call', () => {
  const server = useRedisServer();
  before(() => {
    defineSettleResults(server.redis);
  });

  /** Three frames read by c1, so pending. */
  const pendingFrames = async () => {
    const keys = sourceKeys(`test-${randomUUID()}`, 'cam1');
    await server.redis.xgroup('CREATE', keys.frames, GROUP, '0', 'MKSTREAM');
    for (const id of ['1-0', '2-0', '3-0']) {
      await server.redis.xadd(keys.frames, id, 'seq', id);
    }
    await server.redis.xreadgroup('GROUP', GROUP, 'c1', 'COUNT', 3, 'STREAMS', keys.frames, '>');
    return keys;
  };
  const settle = async (keys: SourceKeys, ids: readonly string[]) => {
    const [[err, reply]] = (await settleResults(server.redis.pipeline(), {
      framesKey: keys.frames,
      resultsKey: keys.results,
      statsKey: keys.stats,
      errorsKey: keys.errors,
      group: GROUP,
      maxLen: 100,
      entries: ids.map((id) => ({ id, fields: ['frame', id, 'payload', '{}'] })),
    }).exec()) as [[Error | null, number[]]];
    assert.equal(err, null);
    return reply;
  };

  it('adds one result and acks each pending entry, and adds nothing for one a peer settled', async () => {
    const keys = await pendingFrames();
    await server.redis.hset(keys.errors, '1-0', 'failed once');
    await server.redis.xack(keys.frames, GROUP, '2-0'); // a peer finished it first
    assert.deepEqual(await settle(keys, ['1-0', '2-0', '3-0']), [1, 0, 1]);
    const results = await server.redis.xrange(keys.results, '-', '+');
    assert.deepEqual(
      results.map(([, f]) => f[1]),
      ['1-0', '3-0'],
    );
    assert.equal(await server.redis.hget(keys.stats, 'processed'), '2');
    assert.equal(((await server.redis.xpending(keys.frames, GROUP)) as [number])[0], 0);
    assert.equal(await server.redis.hlen(keys.errors), 0, 'retry notes removed');
    assert.deepEqual(await settle(keys, ['1-0', '3-0']), [0, 0], 'a second settle adds nothing');
    assert.equal(await server.redis.xlen(keys.results), 2);
  });

  it('completes at maxmemory (noeviction), so workers can always ack', async () => {
    const keys = await pendingFrames();
    await server.redis.config('SET', 'maxmemory', '1');
    try {
      assert.deepEqual(await settle(keys, ['1-0', '2-0', '3-0']), [1, 1, 1]);
    } finally {
      await server.redis.config('SET', 'maxmemory', '0');
    }
    assert.equal(await server.redis.xlen(keys.results), 3);
  });
});
