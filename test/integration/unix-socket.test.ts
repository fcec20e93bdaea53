import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { ConfigError } from '../../src/shared/errors.js';
import { createRedis } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { produceAndProcess } from '../helpers/produce-and-process.js';
import { useRedisServer } from '../helpers/redis-server.js';

const socketPath = join(tmpdir(), `framepipe-${randomUUID().slice(0, 8)}.sock`);

describe('redis.socketPath', () => {
  const server = useRedisServer({
    extraArgs: ['--unixsocket', socketPath, '--unixsocketperm', '700'],
  });

  it('producer and worker talk to Redis over its unix socket, host and port unused', async () => {
    const config = ConfigSchema.parse({
      // Port 1 answers nothing: frames can only flow over the socket.
      redis: { socketPath, port: 1, prefix: `test-${randomUUID()}` },
      producer: { width: 32, height: 24, fps: 1000, frames: 30 },
      worker: { sources: ['cam1'], processor: 'stats', blockMs: 50, consumer: 'w1' },
    });
    const run = await produceAndProcess(config, server.redis, async (producerRedis) => {
      const client = (await producerRedis.call('CLIENT', 'INFO')) as string;
      assert.match(client, new RegExp(`laddr=${socketPath.replace(/[.]/g, '\\.')}`));
    });
    assert.deepEqual(run, { produced: 30, processed: 30 });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    assert.equal(await server.redis.hget(keys.stats, 'processed'), '30');
  });

  it('is refused for a Cluster, a Sentinel set or with redis.url', () => {
    for (const redis of [
      { socketPath, mode: 'cluster' },
      { socketPath, mode: 'sentinel' },
      { socketPath, url: 'redis://127.0.0.1:6390' },
    ]) {
      const config = ConfigSchema.parse({ redis });
      assert.throws(() => createRedis(config.redis, { name: 'x' }), ConfigError);
    }
  });
});
