import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { FramePublisher } from '../../src/producer/frame-publisher.js';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { closeRedis, createRedis } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { defineScripts } from '../../src/shared/redis/scripts.js';
import { resultArgs } from '../../src/workers/dead-letter.js';
import { SettleBatcher } from '../../src/workers/settle-batcher.js';
import { pendingFrame, validJpeg } from '../helpers/frames.js';
import { useRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { noopResultFields } from '../helpers/results.js';
import { assertInvariant, figureLine, readDurableStats } from './helpers/invariant.js';

const N = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Forces ioredis to resend commands Redis already received: the server is frozen while the
 * commands sit in its socket buffer, the client's socket is cut, and the server, thawed, runs
 * them before it sees the close. ioredis reconnects and resends them (autoResendUnfulfilledCommands).
 */
async function replayed<T>(server: RedisServer, client: Redis, send: () => Promise<T>): Promise<T> {
  process.kill(server.pid(), 'SIGSTOP');
  try {
    const pending = send();
    await sleep(300);
    client.stream.destroy();
    await sleep(100);
    process.kill(server.pid(), 'SIGCONT');
    return await pending;
  } finally {
    process.kill(server.pid(), 'SIGCONT');
  }
}

describe('ioredis replays in-flight commands after a reconnect', () => {
  const server = useRedisServer();

  it('a replayed batch of producer XADDs is refused as duplicates: no frame is stored twice', async (t) => {
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix: `test-${randomUUID()}` },
    });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    const redis = createRedis(config.redis, { name: 'producer' }) as Redis;
    t.after(() => redis.disconnect());
    defineScripts(redis);
    await server.redis.xgroup('CREATE', keys.frames, 'workers', '0', 'MKSTREAM');
    const publisher = new FramePublisher({
      redis,
      keys,
      source: 'cam1',
      group: 'workers',
      policy: 'block',
      maxLen: 10_000,
      logger: silentLogger(),
    });
    const data = await validJpeg(32, 24);
    const frame = (seq: number) =>
      pendingFrame(seq, { captureUs: seq, width: 32, height: 24, data });
    await publisher.publish([frame(0)], new AbortController().signal); // loads the script
    const batch = Array.from({ length: N }, (_, i) => frame(i + 1));
    const report = await replayed(server, redis, () =>
      publisher.publish(batch, new AbortController().signal),
    );
    await closeRedis(redis);

    const entries = await server.redis.xrange(keys.frames, '-', '+');
    const seqs = entries.map(([, f]) => f[f.indexOf('seq') + 1]);
    assert.equal(seqs.length, N + 1);
    assert.equal(new Set(seqs).size, N + 1, 'no seq stored twice');
    const s = await readDurableStats(server.redis, keys);
    assert.equal(s.produced, N + 1);
    assert.ok(s.duplicates > 0, 'the batch was replayed (otherwise this test proves nothing)');
    assert.equal(report.added + report.duplicates, N);
    t.diagnostic(
      figureLine('replay-producer-xadd', {
        frames: N,
        replayedRefused: s.duplicates,
        storedTwice: 0,
      }),
    );
  });

  it('replayed worker settles add no second result and count nothing twice', async (t) => {
    const config = ConfigSchema.parse({
      redis: { port: server.port, prefix: `test-${randomUUID()}` },
    });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    defineScripts(server.redis);
    await server.redis.xgroup('CREATE', keys.frames, 'workers', '0', 'MKSTREAM');
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      ids.push((await server.redis.xadd(keys.frames, `${1000 + i}-0`, 'seq', String(i))) as string);
    }
    await server.redis.xreadgroup('GROUP', 'workers', 'w', 'COUNT', N, 'STREAMS', keys.frames, '>');
    const redis = createRedis(config.redis, { name: 'worker' }) as Redis;
    t.after(() => redis.disconnect());
    defineScripts(redis);
    const batcher = new SettleBatcher(redis, { maxBatch: N });
    const settle = (id: string) =>
      batcher.settle(resultArgs({ keys, group: 'workers', id }, noopResultFields(id), 1000));
    await settle(ids[0]!); // loads the script
    const acked = await replayed(server, redis, () => Promise.all(ids.slice(1).map(settle)));
    await closeRedis(redis);

    const s = await assertInvariant(server.redis, keys);
    assert.equal(s.processed, N);
    assert.equal(await server.redis.xlen(keys.results), N);
    const replays = acked.filter((a) => !a).length;
    assert.ok(replays > 0, 'the settles were replayed (otherwise this test proves nothing)');
    t.diagnostic(
      figureLine('replay-worker-settle', { frames: N - 1, replayedNoop: replays, resultsTwice: 0 }),
    );
  });
});
