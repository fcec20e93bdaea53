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
    await readAndAck(10);
    const groups = (await r.xinfo('GROUPS', stream)) as unknown[][];
    const lag = groups[0]![groups[0]!.indexOf('lag') + 1];
    assert.equal(lag, 6, 'the premise: Redis counts the trimmed entries as lag');
    assert.deepEqual(await readBacklog(r, stream, 'workers'), {
      unread: 0,
      pending: 0,
      counted: false,
    });
    await r.xadd(stream, '11-0', 'seq', '11');
    // One new entry (Redis: lag 7): while the group is behind, the stream's length (3) bounds
    // what it has to read; Redis has no cheap count of the entries after an id.
    assert.equal((await readBacklog(r, stream, 'workers')).unread, 3);
  });
});
