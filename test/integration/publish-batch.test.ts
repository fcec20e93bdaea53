import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sourceKeys, type SourceKeys } from '../../src/shared/redis/keys.js';
import { readDurableCounters } from '../../src/shared/redis/durable-counters.js';
import { publishBatch } from '../../src/shared/redis/publish-batch.js';
import { readBacklog } from '../../src/shared/redis/stream-info.js';
import { isOomError } from '../../src/shared/redis/trim-acked.js';
import { useRedisServer } from '../helpers/redis-server.js';

const GROUP = 'workers';

describe('publishBatch: plain XADDs on a corked socket, counted by the stream itself', () => {
  const server = useRedisServer();

  const fresh = async (group = true) => {
    const keys = sourceKeys(`test-${randomUUID()}`, 'cam1');
    if (group) {
      await server.redis.xgroup('CREATE', keys.frames, GROUP, '0', 'MKSTREAM');
    }
    return keys;
  };
  const entries = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      id: `${from + i}-0`,
      fields: ['seq', String(from + i), 'data', Buffer.from([0xff, 0xd8, from + i])],
    }));
  const send = (
    keys: SourceKeys,
    from: number,
    to: number,
    policy: 'block' | 'drop-oldest' = 'block',
    trim?: { maxLen: number; slack: number },
  ) =>
    publishBatch(server.redis, {
      framesKey: keys.frames,
      statsKey: keys.stats,
      policy,
      trim: trim === undefined ? undefined : { ...trim, marksKey: keys.trimMarks },
      entries: entries(from, to),
    });
  /** A mark as the TRIM script leaves one: entry number `n` of the stream has id `n-0`. */
  const mark = (keys: SourceKeys, n: number) => server.redis.rpush(keys.trimMarks, `${n} ${n}-0`);
  const marks = (keys: SourceKeys) => server.redis.lrange(keys.trimMarks, 0, -1);
  const xrangeCalls = async () => {
    const m = /cmdstat_xrange:calls=(\d+)/.exec(await server.redis.info('commandstats'));
    return Number(m?.[1] ?? 0);
  };
  const readIds = async (keys: SourceKeys, count: number) => {
    const reply = (await server.redis.xreadgroup(
      'GROUP',
      GROUP,
      'c1',
      'COUNT',
      count,
      'STREAMS',
      keys.frames,
      '>',
    )) as [string, [string, string[]][]][];
    return reply[0]![1].map(([id]) => id);
  };
  const produced = async (keys: SourceKeys) =>
    (await readDurableCounters(server.redis, keys)).produced;
  const firstId = async (keys: SourceKeys) =>
    (await server.redis.xrange(keys.frames, '-', '+', 'COUNT', 1))[0]?.[0];

  it('adds every entry with its explicit id and binary fields, and counts produced', async () => {
    const keys = await fresh();
    const reply = await send(keys, 1, 3);
    assert.deepEqual(reply.outcomes, ['added', 'added', 'added']);
    assert.equal(await produced(keys), 3);
    const stored = await server.redis.xrangeBuffer(keys.frames, '2-0', '2-0');
    assert.deepEqual(stored[0]![1][3], Buffer.from([0xff, 0xd8, 2]));
  });

  it('a replayed batch is refused entry by entry and counts nothing twice', async () => {
    const keys = await fresh();
    await send(keys, 1, 3);
    const replay = await send(keys, 1, 3);
    assert.deepEqual(replay.outcomes, ['conflict', 'conflict', 'conflict']);
    assert.equal(await server.redis.xlen(keys.frames), 3);
    assert.equal(await produced(keys), 3);
  });

  it('a batch whose first entries landed before a failure: only the rest are added and counted', async () => {
    const keys = await fresh();
    await send(keys, 1, 2);
    const reply = await send(keys, 1, 4);
    assert.deepEqual(reply.outcomes, ['conflict', 'conflict', 'added', 'added']);
    assert.equal(await produced(keys), 4);
  });

  it('does not count an entry a DLQ redrive added back, nor a refused one', async () => {
    const keys = await fresh();
    await send(keys, 1, 2);
    // What the redrive script does atomically: the entry back under a fresh id, counted.
    await server.redis.xadd(keys.frames, '*', 'seq', '1');
    await server.redis.hincrby(keys.stats, 'redriven', 1);
    const refused = await send(keys, 3, 3); // smaller than the redriven id
    assert.deepEqual(refused.outcomes, ['conflict']);
    assert.equal(await produced(keys), 2);
  });

  it('with block, trims at the newest mark maxLen old but never past an entry the group has not read or not acked', async () => {
    const keys = await fresh();
    await send(keys, 1, 30);
    const ids = await readIds(keys, 20);
    await server.redis.xack(keys.frames, GROUP, ...ids.slice(0, 15)); // 16..20 pending, 21..30 unread
    await mark(keys, 24);
    // 32 entries, maxLen 8: mark 24 is 8 entries old, so the point is 25-0.
    const reply = await send(keys, 31, 32, 'block', { maxLen: 8, slack: 1 });
    assert.equal(reply.trimmed, 15);
    assert.equal(await firstId(keys), '16-0', 'stopped at the oldest pending entry');
    assert.deepEqual(await marks(keys), ['24 24-0', '32 32-0'], 'this batch left its mark');
    await server.redis.xack(keys.frames, GROUP, ...ids.slice(15));
    await send(keys, 33, 33, 'block', { maxLen: 8, slack: 1 });
    assert.equal(await firstId(keys), '21-0', 'stopped at the oldest unread entry');
    assert.equal(await server.redis.hget(keys.stats, 'dropped_unread'), null);
  });

  it('with block and no consumer group yet, trims nothing', async () => {
    const keys = await fresh(false);
    await send(keys, 1, 10);
    const reply = await send(keys, 11, 11, 'block', { maxLen: 3, slack: 1 });
    assert.equal(reply.trimmed, 0);
    assert.equal(await server.redis.xlen(keys.frames), 11);
  });

  it('with drop-oldest, trims at the mark and counts exactly the entries no group had read', async () => {
    const keys = await fresh();
    await send(keys, 1, 20);
    await readIds(keys, 5); // 1..5 read (pending), 6..20 unread
    await mark(keys, 11);
    const reply = await send(keys, 21, 21, 'drop-oldest', { maxLen: 10, slack: 1 });
    assert.equal(reply.trimmed, 11);
    assert.equal(reply.trimmedUnread, 6, '6..11 were never read');
    assert.equal(await firstId(keys), '12-0');
    assert.equal(await server.redis.hget(keys.stats, 'dropped_unread'), '6');
  });

  it('with drop-oldest, a group behind the trim starts after it: its lag is what it can still read, exactly, without counting', async () => {
    const keys = await fresh();
    await server.redis.xgroup('CREATE', keys.frames, 'ahead', '0');
    await send(keys, 1, 20);
    await readIds(keys, 5); // workers: 1..5 read, 6..20 unread
    await server.redis.xgroup('SETID', keys.frames, 'ahead', '15-0', 'ENTRIESREAD', 15);
    await mark(keys, 11);
    await send(keys, 21, 21, 'drop-oldest', { maxLen: 10, slack: 1 }); // 1..11 trimmed
    const lagOf = async (group: string) => {
      const groups = (await server.redis.xinfo('GROUPS', keys.frames)) as unknown[][];
      const g = groups.find((x) => x[x.indexOf('name') + 1] === group)!;
      return [g[g.indexOf('last-delivered-id') + 1], g[g.indexOf('lag') + 1]];
    };
    assert.deepEqual(await lagOf(GROUP), ['11-0', 10], '12..21 left to read');
    assert.deepEqual(await lagOf('ahead'), ['15-0', 6], 'a group past the trim is left alone');
    const backlog = await readBacklog(server.redis, keys.frames, GROUP);
    assert.deepEqual(backlog, { unread: 10, pending: 5, counted: false });
    // Reading on keeps it exact (Redis counts each read from the entries-read it was given).
    await readIds(keys, 4);
    assert.deepEqual(await readBacklog(server.redis, keys.frames, GROUP), {
      unread: 6,
      pending: 9,
      counted: false,
    });
  });

  it('with drop-oldest and no consumer group, every trimmed entry is counted as unread', async () => {
    const keys = await fresh(false);
    await send(keys, 1, 10);
    await mark(keys, 3);
    const reply = await send(keys, 11, 11, 'drop-oldest', { maxLen: 8, slack: 1 });
    assert.equal(reply.trimmedUnread, 3);
    assert.equal(await server.redis.hget(keys.stats, 'dropped_unread'), '3');
  });

  it('trims every slack entries from its own marks: the stream stays near maxLen and no entry is read back', async () => {
    const keys = await fresh();
    const before = await xrangeCalls();
    let lengths: number[] = [];
    for (let b = 0; b < 40; b++) {
      // A restarted producer is the same as a running one: only Redis holds the marks.
      await send(keys, b * 5 + 1, b * 5 + 5, 'block', { maxLen: 20, slack: 5 });
      const ids = await readIds(keys, 5);
      await server.redis.xack(keys.frames, GROUP, ...ids);
      lengths.push(await server.redis.xlen(keys.frames));
    }
    lengths = lengths.slice(10);
    assert.ok(Math.min(...lengths) >= 20, `kept fewer than maxLen: ${lengths.join(' ')}`);
    assert.ok(Math.max(...lengths) <= 20 + 2 * 5 + 5, `grew past maxLen: ${lengths.join(' ')}`);
    assert.ok((await marks(keys)).length <= 20 / 5 + 2, 'marks older than the point are dropped');
    assert.equal(await xrangeCalls(), before, 'no entry was read to find a trim point');
  });

  it('marks counting more than a stream that was deleted and made anew are dropped', async () => {
    const keys = await fresh(false);
    await server.redis.rpush(keys.trimMarks, '500 500-0', '900 900-0');
    await send(keys, 1, 5, 'drop-oldest', { maxLen: 3, slack: 1 });
    assert.deepEqual(await marks(keys), ['5 5-0']);
    assert.equal(await server.redis.xlen(keys.frames), 3, 'trimmed by length instead');
  });

  it('marks stay at least slack apart, and the one trimmed at stays first', async () => {
    const keys = await fresh(false);
    await send(keys, 1, 40);
    await server.redis.rpush(keys.trimMarks, '10 10-0', '20 20-0', '30 30-0');
    // 41 entries, maxLen 15: mark 20 is the newest 15 entries old.
    const reply = await send(keys, 41, 41, 'drop-oldest', { maxLen: 15, slack: 5 });
    assert.equal(reply.trimmed, 20);
    assert.deepEqual(await marks(keys), ['20 20-0', '30 30-0', '41 41-0']);
    await send(keys, 42, 43, 'drop-oldest', { maxLen: 15, slack: 5 });
    assert.deepEqual(await marks(keys), ['20 20-0', '30 30-0', '41 41-0'], '2 entries since 41');
  });

  it('marks count past 1e14 entries as digits (Lua would write 1e+14)', async () => {
    const keys = await fresh(false);
    await send(keys, 1, 5);
    await server.redis.xsetid(keys.frames, '5-0', 'ENTRIESADDED', '200000000000000');
    await send(keys, 6, 6, 'drop-oldest', { maxLen: 10, slack: 1 });
    assert.deepEqual(await marks(keys), ['200000000000001 6-0']);
    assert.equal(await server.redis.xlen(keys.frames), 6, 'nothing is maxLen old');
  });

  it('marks of a stream that was deleted and made anew with older ids are dropped', async () => {
    const keys = await fresh(false);
    await server.redis.rpush(keys.trimMarks, '2 900-0', '3 950-0');
    await send(keys, 1, 8, 'drop-oldest', { maxLen: 6, slack: 1 });
    assert.deepEqual(await marks(keys), ['8 8-0']);
    assert.equal(await server.redis.xlen(keys.frames), 6, 'trimmed by length, not at 951-0');
  });

  it('at maxmemory a due trim still frees entries (drop-oldest), without its mark', async () => {
    const keys = await fresh(false);
    const big = Buffer.alloc(20_000, 7);
    for (let i = 1; i <= 110; i++) {
      await server.redis.xadd(keys.frames, `${i}-0`, 'data', big);
    }
    for (let i = 5; i <= 105; i += 5) {
      await server.redis.rpush(keys.trimMarks, `${i} ${i}-0`);
    }
    const used = Number(/used_memory:(\d+)/.exec(await server.redis.info('memory'))?.[1]);
    await server.redis.config('SET', 'maxmemory', String(used - 1000));
    try {
      const reply = await send(keys, 111, 111, 'drop-oldest', { maxLen: 100, slack: 5 });
      assert.ok(isOomError(reply.outcomes[0]), 'the frame itself is refused');
      assert.equal(reply.trimError, undefined, String(reply.trimError));
      assert.equal(reply.trimmed, 10);
    } finally {
      await server.redis.config('SET', 'maxmemory', '0');
    }
    assert.equal(await server.redis.xlen(keys.frames), 100);
  });

  it('entries older than every mark (written before marks were kept) are trimmed by length, within the same rules', async () => {
    const keys = await fresh();
    await send(keys, 1, 30);
    const ids = await readIds(keys, 30);
    await server.redis.xack(keys.frames, GROUP, ...ids.slice(0, 12)); // 13..30 pending
    // XLEN 31 after the XADD, maxLen 10: 21 to trim, block stops at the oldest pending (13).
    const blocked = await send(keys, 31, 31, 'block', { maxLen: 10, slack: 50 });
    assert.equal(blocked.trimmed, 12);
    assert.equal(await firstId(keys), '13-0');
    await server.redis.xack(keys.frames, GROUP, ...ids.slice(12));
    const capped = await send(keys, 32, 32, 'block', { maxLen: 10, slack: 3 });
    assert.equal(capped.trimmed, 6, 'at most 2 x slack per call');
    await send(keys, 33, 33, 'block', { maxLen: 10, slack: 50 });
    assert.equal(await server.redis.xlen(keys.frames), 10);
    assert.equal(await firstId(keys), '24-0', 'the newest 10 kept');
    const none = await send(keys, 34, 34, 'block', { maxLen: 20, slack: 50 });
    assert.equal(none.trimmed, 0, 'shorter than maxLen: nothing to trim');
  });

  it('a by-length trim finds its point in chunks of 64 entries when more are to go', async () => {
    const keys = await fresh(false);
    await send(keys, 1, 200);
    const reply = await send(keys, 201, 201, 'drop-oldest', { maxLen: 10, slack: 500 });
    assert.equal(reply.trimmed, 191);
    assert.equal(await server.redis.xlen(keys.frames), 10);
    assert.equal(await firstId(keys), '192-0');
  });

  it('a by-length trim with drop-oldest counts exactly the trimmed entries no group had read', async () => {
    const keys = await fresh();
    await send(keys, 1, 20);
    await readIds(keys, 4); // 1..4 read, 5..20 unread
    const reply = await send(keys, 21, 21, 'drop-oldest', { maxLen: 12, slack: 50 });
    assert.equal(reply.trimmed, 9);
    assert.equal(reply.trimmedUnread, 5, '5..9 were never read');
    assert.equal(await firstId(keys), '10-0');
    assert.equal(await server.redis.hget(keys.stats, 'dropped_unread'), '5');
  });

  it('at maxmemory every XADD is refused with the OOM error and nothing is counted', async () => {
    const keys = await fresh();
    await send(keys, 1, 1);
    await server.redis.config('SET', 'maxmemory', '1');
    try {
      const reply = await send(keys, 2, 3);
      const single = await send(keys, 4, 4); // one frame goes as a plain command, not a pipeline
      assert.equal(reply.outcomes.length, 2);
      for (const o of [...reply.outcomes, ...single.outcomes]) {
        assert.ok(isOomError(o), `expected an OOM error, got ${String(o)}`);
      }
    } finally {
      await server.redis.config('SET', 'maxmemory', '0');
    }
    assert.equal(await server.redis.xlen(keys.frames), 1);
    assert.equal(await produced(keys), 1);
  });
});
