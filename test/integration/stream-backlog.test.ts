import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { BacklogWaiter } from '../../src/producer/backpressure.js';
import { readBacklog } from '../../src/shared/redis/stream-info.js';
import { useRedisServer } from '../helpers/redis-server.js';

describe('readBacklog after drop-oldest trimmed unread entries', () => {
  const server = useRedisServer();

  /** The group reads `count` new entries and acks them. */
  const readAndAck = async (stream: string, count: number) => {
    const read = (await server.redis.xreadgroup(
      'GROUP',
      'workers',
      'c',
      'COUNT',
      count,
      'STREAMS',
      stream,
      '>',
    )) as [string, [string, string[]][]][];
    await server.redis.xack(stream, 'workers', ...read[0]![1].map(([id]) => id));
  };

  it('reports no backlog once the group has read what is left (Redis still says lag 6)', async () => {
    const stream = `test-${randomUUID()}:{cam1}:frames`;
    const r = server.redis;
    await r.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    for (let i = 1; i <= 10; i++) {
      await r.xadd(stream, `${i}-0`, 'seq', String(i));
    }
    await readAndAck(stream, 2);
    await r.xtrim(stream, 'MINID', '9-0'); // 3..8 dropped unread, behind a group that had read 1..2
    await r.hincrby(stream.replace(/:frames$/, ':stats'), 'dropped_unread', 6); // as TRIM counts
    await readAndAck(stream, 10);
    const groups = (await r.xinfo('GROUPS', stream)) as unknown[][];
    const lag = groups[0]![groups[0]!.indexOf('lag') + 1];
    assert.equal(lag, 6, 'the premise: Redis counts the trimmed entries as lag');
    assert.deepEqual(await readBacklog(r, stream, 'workers'), {
      unread: 0,
      pending: 0,
      counted: true,
    });
    await r.xadd(stream, '11-0', 'seq', '11');
    // One new entry (Redis: lag 7): counted, not taken from the lag.
    assert.equal((await readBacklog(r, stream, 'workers')).unread, 1);
  });

  it('counts from the shorter side, in steps of 64, whatever the group position', async () => {
    const stream = `test-${randomUUID()}:{cam1}:frames`;
    const r = server.redis;
    await r.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    for (let i = 1; i <= 300; i++) {
      await r.xadd(stream, `${i}-0`, 'seq', String(i));
    }
    await r.hincrby(stream.replace(/:frames$/, ':stats'), 'dropped_unread', 1);
    for (const [delivered, unread] of [
      ['0-0', 300],
      ['20-0', 280],
      ['150-0', 150],
      ['290-0', 10],
      ['300-0', 0],
    ] as const) {
      await r.xgroup('SETID', stream, 'workers', delivered);
      assert.equal((await readBacklog(r, stream, 'workers')).unread, unread, delivered);
    }
  });

  it('a producer waiting on a lag that counts entries trimmed by hand has the group set right, and counts them as dropped', async () => {
    const stream = `test-${randomUUID()}:{cam1}:frames`;
    const stats = stream.replace(/:frames$/, ':stats');
    const r = server.redis;
    await r.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    for (let i = 1; i <= 10; i++) {
      await r.xadd(stream, `${i}-0`, 'seq', String(i));
    }
    await readAndAck(stream, 2);
    await r.xtrim(stream, 'MAXLEN', 0); // by hand: 3..10 gone unread
    for (let i = 11; i <= 20; i++) {
      await r.xadd(stream, `${i}-0`, 'seq', String(i));
    }
    await readAndAck(stream, 10);
    // The premise: Redis still says lag 8, no more than the stream holds, so it is believed.
    assert.deepEqual(await readBacklog(r, stream, 'workers'), {
      unread: 8,
      pending: 0,
      counted: false,
    });

    const waiter = new BacklogWaiter({
      redis: r,
      stream,
      statsKey: stats,
      group: 'workers',
      maxBacklog: 8,
      now: () => performance.now(),
      onWait: () => undefined,
      reconcileEveryMs: 50,
    });
    const credit = await waiter.waitForCredit(AbortSignal.timeout(5000));
    assert.equal(credit, 8, 'room again: nothing is unread');
    assert.equal(await r.hget(stats, 'dropped_unread'), '8');
    assert.deepEqual(await readBacklog(r, stream, 'workers'), {
      unread: 0,
      pending: 0,
      counted: false,
    });
    await r.xadd(stream, '21-0', 'seq', '21');
    assert.equal((await readBacklog(r, stream, 'workers')).unread, 1, 'and stays right');
  });
});
