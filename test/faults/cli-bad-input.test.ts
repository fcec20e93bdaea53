import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startPrivateRedisServer } from '../../src/demo/private-redis-server.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { cleanEnv } from '../helpers/cli.js';
import { corruptJpeg, validJpeg } from '../helpers/frames.js';
import { freePort, useRedisServer } from '../helpers/redis-server.js';
import { dlqEntries } from '../helpers/worker-fixtures.js';
import { spawnJson, stopAll, type JsonChild } from './helpers/children.js';
import { addFrames } from './helpers/add-frames.js';
import { assertInvariant, waitSettled } from './helpers/invariant.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cliWorker(port: number, prefix: string): JsonChild {
  return spawnJson(
    'worker',
    [
      'src/cli.ts',
      'work',
      '--redis-port',
      String(port),
      '--prefix',
      prefix,
      '--sources',
      'cam1',
      '--processor',
      'stats',
      '--claim-idle-ms',
      '500',
      '--log-level',
      'info',
    ],
    cleanEnv(),
  );
}

describe('bad input and a dead Redis through the real CLI processes', () => {
  const children: JsonChild[] = [];
  const server = useRedisServer({
    beforeStop: () => {
      children.filter((c) => c.alive()).forEach((c) => c.proc.kill('SIGKILL'));
    },
  });

  it('`framepipe work` dead-letters a corrupt JPEG and an entry with wrong fields, with reasons, and processes the rest', async () => {
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix: `test-${randomUUID()}` },
    });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    const good = await validJpeg(64, 48);
    await addFrames(
      server.redis,
      config,
      0,
      20,
      (seq) => (seq === 5 ? corruptJpeg() : good),
      (seq) =>
        seq === 9
          ? ['v', '9', 'source', 'cam1', 'seq', 'x', 'fmt', 'png', 'data', good]
          : undefined,
    );
    const worker = cliWorker(server.port, config.redis.prefix);
    children.push(worker);
    await waitSettled(server.redis, keys, 60_000, 20);
    await stopAll([worker]);
    assert.equal(await worker.exited, 0, worker.text());

    const s = await assertInvariant(server.redis, keys);
    assert.equal(s.processed, 18);
    assert.equal(s.deadLettered, 2);
    const dlq = await dlqEntries(server.redis, keys);
    const bySeq = new Map(dlq.map((e) => [e.dlq_frame, e]));
    const corrupt = bySeq.get('1005-0');
    const fields = bySeq.get('1009-0');
    assert.equal(corrupt?.dlq_code, 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.ok((corrupt?.dlq_reason ?? '') !== '', 'corrupt JPEG has a reason');
    assert.equal(fields?.dlq_code, 'FRAMEPIPE_ERR_POISON_FRAME');
    assert.match(fields?.dlq_reason ?? '', /schema version|seq|fmt|w is missing/);
    const warned = worker.lines.filter((l) => l.msg === 'frame dead-lettered');
    assert.equal(warned.length, 2, 'each dead letter is logged');
  });

  it('with no Redis at startup, `framepipe work` logs connection errors and waits; it starts working when Redis comes up', async () => {
    const port = await freePort();
    const prefix = `test-${randomUUID()}`;
    const worker = cliWorker(port, prefix);
    children.push(worker);
    while (!worker.lines.some((l) => l.msg === 'redis connection error')) {
      assert.ok(worker.alive(), `exited early: ${worker.text()}`);
      await sleep(100);
    }
    const late = await startPrivateRedisServer({ port });
    try {
      const client = new Redis({ port, host: '127.0.0.1' });
      const config = ConfigSchema.parse({ redis: { port, prefix } });
      const good = await validJpeg(64, 48);
      await addFrames(client, config, 0, 10, () => good);
      await waitSettled(client, sourceKeys(prefix, 'cam1'), 60_000, 10);
      await stopAll([worker]);
      assert.equal(await worker.exited, 0, worker.text());
      assert.equal((await assertInvariant(client, sourceKeys(prefix, 'cam1'))).processed, 10);
      client.disconnect();
    } finally {
      await late.stop();
    }
  });
});
