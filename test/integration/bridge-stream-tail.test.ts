import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DLQ_READ_COUNT, StreamTail, type StreamBatch } from '../../src/bridge/stream-tail.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { useRedisServer } from '../helpers/redis-server.js';

describe('bridge stream tail', () => {
  const server = useRedisServer();

  it('reads dead letters (whole frames) a few at a time, in order, while results come in full reads', async () => {
    const keys = sourceKeys(`test-${randomUUID()}`, 'cam1');
    const tail = new StreamTail({
      blockingRedis: server.client(),
      redis: server.client(),
      positionsKey: `${keys.frames}:positions`,
      positionsField: 'p',
      resume: false,
      blockMs: 50,
      readCount: 256,
    });
    await tail.add([
      { key: keys.dlq, kind: 'dlq', source: 'cam1' },
      { key: keys.results, kind: 'results', source: 'cam1' },
    ]);
    const frame = Buffer.alloc(256 * 1024, 7);
    for (let i = 1; i <= 30; i++) {
      await server.redis.xadd(keys.dlq, '*', 'seq', String(i), 'data', frame);
      await server.redis.xadd(keys.results, '*', 'seq', String(i));
    }

    const seen: Record<string, string[]> = { dlq: [], results: [] };
    let largestDlqRead = 0;
    for (let round = 0; round < 50 && seen.dlq!.length < 30; round++) {
      const batches: StreamBatch[] = await tail.read();
      for (const b of batches) {
        if (b.stream.kind === 'dlq') {
          largestDlqRead = Math.max(largestDlqRead, b.entries.length);
        }
        for (const [, fields] of b.entries) {
          seen[b.stream.kind]!.push(fields[1]!.toString());
        }
        await tail.commit(b.stream.key, b.entries.at(-1)![0]);
      }
    }
    const inOrder = Array.from({ length: 30 }, (_, i) => String(i + 1));
    assert.deepEqual(seen.dlq, inOrder);
    assert.deepEqual(seen.results, inOrder, 'the results came in one read');
    assert.equal(largestDlqRead, DLQ_READ_COUNT, 'never more dead letters than that in memory');
  });
});
