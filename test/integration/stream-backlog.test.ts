import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { readBacklog } from '../../src/shared/redis/stream-info.js';
import { useRedisServer } from '../helpers/redis-server.js';

describe('readBacklog after drop-oldest trimmed unread entries', () => {
  const server = useRedisServer();

  it('reports no backlog once the group has read what is left (Redis still says lag 6)', async () => {
    const stream = `test-${randomUUID()}:{cam1}:frames`;
    const r = server.redis;
    await r.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    for (let i = 1; i <= 10; i++) {
      await r.xadd(stream, `${i}-0`, 'seq', String(i));
    }
    const readAndAck = async (count: number) => {
      const read = (await r.xreadgroup(
        'GROUP',
        'workers',
        'c',
        'COUNT',
        count,
        'STREAMS',
        stream,
        '>',
      )) as [string, [string, string[]][]][];
      await r.xack(stream, 'workers', ...read[0]![1].map(([id]) => id));
    };
    await readAndAck(2);
    await r.xtrim(stream, 'MINID', '9-0'); // 3..8 dropped unread, behind a group that had read 1..2
    await r.hincrby(stream.replace(/:frames$/, ':stats'), 'dropped_unread', 6); // as TRIM counts
    await readAndAck(10);
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
});
