import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { readDurableCounters } from '../../src/shared/redis/durable-counters.js';
import { publishBatch } from '../../src/shared/redis/publish-batch.js';
import { defineScripts, publishFrame, settleEntry } from '../../src/shared/redis/scripts.js';
import { useRedisServer } from '../helpers/redis-server.js';

const GROUP = 'workers';

describe('Lua scripts that keep the delivery invariant', () => {
  const server = useRedisServer();
  before(() => {
    defineScripts(server.redis);
  });

  const fresh = async () => {
    const keys = sourceKeys(`test-${randomUUID()}`, 'cam1');
    await server.redis.xgroup('CREATE', keys.frames, GROUP, '0', 'MKSTREAM');
    return keys;
  };
  const add = (
    keys: ReturnType<typeof sourceKeys>,
    id: string,
    policy: 'block' | 'drop-oldest',
    maxLen = 100,
  ) =>
    publishFrame(server.redis, {
      framesKey: keys.frames,
      statsKey: keys.stats,
      group: GROUP,
      id,
      policy,
      maxLen,
      fields: ['seq', id, 'data', Buffer.from([0xff, 0xd8, 0x00])],
    });

  it('refuses a replayed XADD with the same explicit id and counts it as a duplicate', async () => {
    const keys = await fresh();
    assert.equal(await add(keys, '1000-0', 'block'), 1);
    assert.equal(await add(keys, '1000-0', 'block'), 0);
    assert.equal(await server.redis.xlen(keys.frames), 1);
    const c = await readDurableCounters(server.redis, keys);
    assert.deepEqual([c.produced, c.duplicates], [1, 1]);
  });

  it('stores a frame under a fresh id when another writer took a larger id, and a replay of it stays a duplicate', async () => {
    const keys = await fresh();
    assert.equal(await add(keys, '1000-0', 'block'), 1);
    // A DLQ redrive (its script adds the entry back and counts it as redriven):
    await server.redis.xadd(keys.frames, '5000-0', 'redriven', '1');
    await server.redis.hincrby(keys.stats, 'redriven', 1);
    assert.equal(await add(keys, '2000-0', 'block'), 1, 'not lost as a false duplicate');
    assert.equal(await add(keys, '2000-0', 'block'), 0, 'the replay is a duplicate');
    assert.equal(await server.redis.xlen(keys.frames), 3);
    const c = await readDurableCounters(server.redis, keys);
    assert.deepEqual([c.produced, c.duplicates, c.fields.reids], [2, 1, 1]);
  });

  it('with block, never trims entries the group has not read or not acked', async () => {
    const keys = await fresh();
    for (let i = 1; i <= 30; i++) {
      await add(keys, `${i}-0`, 'block', 10);
    }
    assert.equal(await server.redis.xlen(keys.frames), 30, 'nothing read yet: nothing trimmed');
    // Read 20, ack the first 15: the 5 pending and 10 unread must survive.
    const read = (await server.redis.xreadgroup(
      'GROUP',
      GROUP,
      'c1',
      'COUNT',
      20,
      'STREAMS',
      keys.frames,
      '>',
    )) as [string, [string, string[]][]][];
    const ids = read[0]![1].map(([id]) => id);
    await server.redis.xack(keys.frames, GROUP, ...ids.slice(0, 15));
    for (let i = 31; i <= 40; i++) {
      await add(keys, `${i}-0`, 'block', 10);
    }
    const first = (await server.redis.xrange(keys.frames, '-', '+', 'COUNT', 1))[0]![0];
    assert.equal(first, '16-0', 'trimmed up to the oldest pending entry');
    assert.equal(await server.redis.hget(keys.stats, 'dropped_unread'), null);
  });

  it('with drop-oldest, trims to maxLen and counts exactly the unread entries it removed', async () => {
    const keys = await fresh();
    for (let i = 1; i <= 5; i++) {
      await add(keys, `${i}-0`, 'drop-oldest', 10);
    }
    await server.redis.xreadgroup('GROUP', GROUP, 'c1', 'COUNT', 5, 'STREAMS', keys.frames, '>');
    for (let i = 6; i <= 12; i++) {
      await add(keys, `${i}-0`, 'drop-oldest', 10);
    }
    // 12 entries > maxLen 10 + slack 1: trimmed back to 10, removing 1-0 and 2-0 (both read).
    assert.equal(await server.redis.xlen(keys.frames), 10);
    assert.equal(await server.redis.hget(keys.stats, 'dropped_unread'), null);
    for (let i = 13; i <= 40; i++) {
      await add(keys, `${i}-0`, 'drop-oldest', 10);
    }
    const len = await server.redis.xlen(keys.frames);
    const first = Number(
      (await server.redis.xrange(keys.frames, '-', '+', 'COUNT', 1))[0]![0].split('-')[0],
    );
    // Entries 6..first-1 were never read: exactly those are counted.
    assert.equal(Number(await server.redis.hget(keys.stats, 'dropped_unread')), first - 6);
    assert.ok(len <= 11);
    // The group starts after the last entry trimmed, and Redis's lag is exactly what it can
    // still read.
    const [group] = (await server.redis.xinfo('GROUPS', keys.frames)) as unknown[][];
    const field = (name: string) => group![group!.indexOf(name) + 1];
    assert.equal(field('last-delivered-id'), `${first - 1}-0`);
    assert.equal(field('lag'), len);
    // The producer's next trim reads that id back (next_id): it must still be a stream id.
    const reply = await publishBatch(server.redis, {
      framesKey: keys.frames,
      statsKey: keys.stats,
      policy: 'drop-oldest',
      trim: { maxLen: 10, slack: 1, marksKey: keys.trimMarks },
      entries: [{ id: '100-0', fields: ['seq', '100', 'data', Buffer.from([1])] }],
    });
    assert.equal(reply.trimError, undefined);
  });

  it('settles a pending entry once: a second settle of the same id adds no second result', async () => {
    const keys = await fresh();
    await add(keys, '5-0', 'block');
    await server.redis.xreadgroup('GROUP', GROUP, 'c1', 'COUNT', 1, 'STREAMS', keys.frames, '>');
    const settle = () =>
      settleEntry(server.redis, {
        framesKey: keys.frames,
        targetKey: keys.results,
        statsKey: keys.stats,
        errorsKey: keys.errors,
        group: GROUP,
        id: '5-0',
        maxLen: 100,
        stat: 'processed',
        copyOriginal: false,
        fields: ['frame', '5-0'],
      });
    assert.equal(await settle(), 1);
    assert.equal(await settle(), 0);
    assert.equal(await server.redis.xlen(keys.results), 1);
    assert.equal(await server.redis.hget(keys.stats, 'processed'), '1');
    const pending = (await server.redis.xpending(keys.frames, GROUP)) as [number];
    assert.equal(pending[0], 0);
  });

  it('dead-letters with a copy of the original fields plus the reason', async () => {
    const keys = await fresh();
    await add(keys, '7-0', 'block');
    await server.redis.xreadgroup('GROUP', GROUP, 'c1', 'COUNT', 1, 'STREAMS', keys.frames, '>');
    await settleEntry(server.redis, {
      framesKey: keys.frames,
      targetKey: keys.dlq,
      statsKey: keys.stats,
      errorsKey: keys.errors,
      group: GROUP,
      id: '7-0',
      maxLen: 100,
      stat: 'dead_lettered',
      copyOriginal: true,
      fields: ['dlq_reason', 'bad'],
    });
    const [[, fields]] = (await server.redis.xrange(keys.dlq, '-', '+')) as [[string, string[]]];
    assert.deepEqual(
      fields.filter((_, i) => i % 2 === 0),
      ['seq', 'data', 'dlq_frame', 'dlq_reason'],
    );
    assert.equal(await server.redis.hget(keys.stats, 'dead_lettered'), '1');
  });
});
