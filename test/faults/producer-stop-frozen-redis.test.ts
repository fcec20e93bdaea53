import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { FramePublisher } from '../../src/producer/frame-publisher.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { closeRedis, createRedis } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { pendingFrame } from '../helpers/frames.js';
import { startRedisServer } from '../helpers/redis-server.js';

describe('producer stop with Redis frozen', () => {
  it('a batch Redis never answers is given up on at the flush deadline, reported unconfirmed', async () => {
    const server = await startRedisServer();
    const redis = createRedis(
      {
        ...ConfigSchema.parse({}).redis,
        port: server.port,
      },
      { name: 'producer' },
    );
    const publisher = new FramePublisher({
      redis,
      keys: sourceKeys(`test-${randomUUID()}`, 'cam1'),
      source: 'cam1',
      group: 'workers',
      policy: 'block',
      maxLen: 1000,
      logger: silentLogger(),
    });
    try {
      await redis.ping();
      process.kill(server.pid(), 'SIGSTOP');
      const hard = new AbortController();
      const batch = [pendingFrame(1), pendingFrame(2)];
      const started = Date.now();
      const publishing = publisher.publish(batch, hard.signal);
      setTimeout(() => hard.abort(), 200);
      const report = await publishing;
      // redis.commandTimeoutMs is 10 s: the deadline, not the command, ended the wait.
      assert.ok(Date.now() - started < 5000, `waited ${Date.now() - started} ms`);
      assert.deepEqual(
        report.unconfirmed.map((f) => f.seq),
        [1, 2],
      );
      assert.equal(report.added, 0);
    } finally {
      process.kill(server.pid(), 'SIGCONT');
      await closeRedis(redis);
      await server.stop();
    }
  });
});
