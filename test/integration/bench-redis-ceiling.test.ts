import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runEnqueue } from '../../bench/scenarios/enqueue.js';
import { loadFrameSet, parseSize } from '../../bench/lib/frames.js';
import { useRedisServer } from '../helpers/redis-server.js';

describe('bench: the redis-benchmark XADD ceiling scenario', () => {
  const server = useRedisServer({ extraArgs: ['--stream-node-max-bytes', '2mb'] });

  it('stores every request as a whole frame-sized entry and reports the rate', async () => {
    const task = {
      kind: 'enqueue' as const,
      system: 'redis-benchmark' as const,
      size: '320x240',
      distinct: 3,
      frames: 200, // not a multiple of batch x connections: redis-benchmark sends whole pipelines
      batch: 16,
      inFlight: 2,
      redisPort: server.port,
      prefix: 'ceil',
    };
    const result = await runEnqueue(task, () => undefined);
    const set = await loadFrameSet(parseSize(task.size), task.distinct);
    const payloadBytes = result.settings.payloadBytes as number;
    assert.ok(
      set.jpegs.some((j) => j.length === payloadBytes),
      'one of the frames, by size',
    );
    const stored = await server.redis.xlen('ceil:redis-benchmark');
    assert.ok(stored >= 200, `${stored} entries`);
    assert.equal(result.frames, stored, 'per-frame figures divide by what was stored');
    const [[, fields]] = (await server.redis.xrangeBuffer(
      'ceil:redis-benchmark',
      '-',
      '+',
      'COUNT',
      1,
    )) as [[Buffer, Buffer[]]];
    assert.equal(fields[1]!.length, payloadBytes, 'the value was not cut at a NUL');
    assert.ok(result.frames_per_s > 0);
    assert.ok(result.redis_bytes_per_frame! >= payloadBytes);
  });
});
