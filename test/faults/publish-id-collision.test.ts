import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { defineScripts, publishFrame } from '../../src/shared/redis/scripts.js';
import { encodeFrameFields } from '../../src/shared/stream-entries.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { readDurableStats } from './helpers/invariant.js';

describe('a frame retried after a later frame of its batch was stored (e.g. OOM mid-pipeline)', () => {
  const server = useRedisServer();
  before(() => {
    defineScripts(server.redis);
  });

  it('is stored under a fresh id, and a later frame whose id equals that fresh id is not dropped as a duplicate', async () => {
    const keys = sourceKeys(`test-${randomUUID()}`, 'cam1');
    await server.redis.xgroup('CREATE', keys.frames, 'workers', '0', 'MKSTREAM');
    const publish = (id: string, seq: number) =>
      publishFrame(server.redis, {
        framesKey: keys.frames,
        statsKey: keys.stats,
        group: 'workers',
        id,
        policy: 'block',
        maxLen: 1000,
        fields: encodeFrameFields({
          source: 'cam1',
          seq,
          captureUs: seq,
          width: 8,
          height: 8,
          format: 'jpeg',
          data: Buffer.from([0xff, 0xd8, seq]),
        }),
      });
    assert.equal(await publish('1000-0', 0), 1);
    assert.equal(await publish('1000-2', 2), 1); // seq 2 landed, seq 1 was refused (OOM)
    assert.equal(await publish('1000-1', 1), 1); // retried: now behind, gets a fresh id
    const fresh = (await server.redis.xrevrange(keys.frames, '+', '-', 'COUNT', 1))[0]![0];
    // The producer's next frame happens to carry exactly that id.
    assert.equal(await publish(fresh, 3), 1, 'seq 3 is stored, not taken for a replay');
    assert.equal(await publish(fresh, 3), 0, 'its real replay is a duplicate');
    assert.equal(await publish('1000-1', 1), 0, 'and so is a replay of seq 1');

    const seqs = (await server.redis.xrange(keys.frames, '-', '+')).map(
      ([, f]) => f[f.indexOf('seq') + 1],
    );
    assert.deepEqual([...seqs].sort(), ['0', '1', '2', '3']);
    const s = await readDurableStats(server.redis, keys);
    assert.equal(s.produced, 4);
    assert.equal(s.duplicates, 2);
  });
});
