import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { defineScripts, publishFrame, settleEntry } from '../../src/shared/redis/scripts.js';
import { encodeFrameFields } from '../../src/shared/stream-entries.js';
import { cleanEnv } from '../helpers/cli.js';
import { validJpeg } from '../helpers/frames.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { noopResultFields } from '../helpers/results.js';
import { fixturePath, pendingCount } from '../helpers/worker-fixtures.js';
import { spawnJson, spawnWorker, stopAll, type JsonChild } from './helpers/children.js';
import { assertInvariant, figureLine, readDurableStats, waitSettled } from './helpers/invariant.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Adds `n` frames in one pipeline; resolves with how many Redis acknowledged as added. */
async function burstAdd(redis: Redis, prefix: string, n: number, jpeg: Buffer): Promise<number> {
  defineScripts(redis);
  const keys = sourceKeys(prefix, 'cam1');
  await redis.xgroup('CREATE', keys.frames, 'workers', '0', 'MKSTREAM');
  const p = redis.pipeline();
  for (let seq = 0; seq < n; seq++) {
    const fields = encodeFrameFields({
      source: 'cam1',
      seq,
      captureUs: seq,
      width: 64,
      height: 48,
      format: 'jpeg',
      data: jpeg,
    });
    publishFrame(p, {
      framesKey: keys.frames,
      statsKey: keys.stats,
      group: 'workers',
      id: `${1000 + seq}-0`,
      policy: 'block',
      maxLen: 100_000,
      fields,
    });
  }
  return ((await p.exec()) ?? []).filter(([err, v]) => err === null && Number(v) === 1).length;
}

/** Reads every frame and settles it with a result in one pipeline; returns the acks Redis confirmed. */
async function burstSettle(redis: Redis, prefix: string, n: number): Promise<number> {
  const keys = sourceKeys(prefix, 'cam1');
  const read = (await redis.xreadgroup(
    'GROUP',
    'workers',
    'w',
    'COUNT',
    n,
    'STREAMS',
    keys.frames,
    '>',
  )) as [string, [string, string[]][]][];
  const p = redis.pipeline();
  for (const [id] of read[0]![1]) {
    const fields = noopResultFields(id);
    settleEntry(p, {
      framesKey: keys.frames,
      targetKey: keys.results,
      statsKey: keys.stats,
      errorsKey: keys.errors,
      group: 'workers',
      id,
      maxLen: 100_000,
      stat: 'processed',
      copyOriginal: false,
      fields,
    });
  }
  return ((await p.exec()) ?? []).filter(([err, v]) => err === null && Number(v) === 1).length;
}

describe('Redis restarted mid-run with appendonly yes', () => {
  const children: JsonChild[] = [];
  const server = useRedisServer({
    extraArgs: ['--appendonly', 'yes', '--appendfsync', 'always'],
    beforeStop: () => {
      children.filter((c) => c.alive()).forEach((c) => c.proc.kill('SIGKILL'));
    },
  });

  it('with appendfsync always, the producer and worker processes reconnect by themselves and every frame ends with one result', async (t) => {
    const frames = 1500;
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const workers = ['r0', 'r1'].map((name) =>
      spawnWorker(name, server.port, prefix, {
        PROCESSOR: fixturePath('slow.ts'),
        FRAMEPIPE_TEST_SLOW_MS: '5',
        CLAIM_IDLE_MS: '1000',
      }),
    );
    const producer = spawnJson(
      'producer',
      [
        'src/cli.ts',
        'produce',
        '--redis-port',
        String(server.port),
        '--prefix',
        prefix,
        '--frames',
        String(frames),
        '--fps',
        '200',
        '--width',
        '160',
        '--height',
        '120',
        '--log-level',
        'warn',
      ],
      cleanEnv(),
    );
    children.push(producer, ...workers);
    while ((await readDurableStats(server.redis, keys)).processed < 300) {
      await sleep(50);
    }
    await server.kill('SIGKILL');
    await sleep(1000);
    const restarted = Date.now();
    await server.start();
    const atRestart = (await readDurableStats(server.redis, keys)).processed;
    while ((await readDurableStats(server.redis, keys)).processed <= atRestart) {
      await sleep(20);
    }
    const recoveryMs = Date.now() - restarted;
    assert.equal(await producer.exited, 0, producer.text());
    await waitSettled(server.redis, keys, 60_000, frames);
    await stopAll(workers);

    const s = await assertInvariant(server.redis, keys);
    assert.equal(s.produced, frames, 'every frame reached Redis once');
    assert.equal(s.processed, frames);
    t.diagnostic(
      figureLine('redis-restart-aof-always', {
        frames,
        processed: s.processed,
        lost: 0,
        duplicateAddsRefused: s.duplicates,
        recoveryMsAfterRestart: recoveryMs,
      }),
    );
  });

  for (const fsync of ['always', 'everysec'] as const) {
    it(`with appendfsync ${fsync}, a SIGKILL right after a burst: count what acknowledged writes are lost`, async (t) => {
      const trials = 3;
      const burst = 500;
      const jpeg = await validJpeg(64, 48);
      let lostFrames = 0;
      let lostAcks = 0;
      for (let trial = 0; trial < trials; trial++) {
        await server.redis.config('SET', 'appendfsync', fsync);
        const prefix = ConfigSchema.parse({ redis: { prefix: `test-${randomUUID()}` } }).redis
          .prefix;
        const keys = sourceKeys(prefix, 'cam1');
        assert.equal(await burstAdd(server.redis, prefix, burst, jpeg), burst);
        assert.equal(await burstSettle(server.redis, prefix, burst), burst);
        await server.kill('SIGKILL');
        await server.start();
        const present = await server.redis.xlen(keys.frames);
        const s = await readDurableStats(server.redis, keys);
        const results = await server.redis.xlen(keys.results);
        lostFrames += burst - present;
        lostAcks += burst - s.processed;
        // Whatever was lost, it was lost whole: a frame acked has its result, counters agree.
        assert.equal(results, s.processed);
        assert.equal(s.produced, present);
        assert.equal((await pendingCount(server.redis, keys)) + s.processed, present);
      }
      if (fsync === 'always') {
        assert.equal(lostFrames + lostAcks, 0, 'appendfsync always loses nothing acknowledged');
      }
      t.diagnostic(
        figureLine(`redis-sigkill-aof-${fsync}`, {
          trials,
          framesPerTrial: burst,
          lostFrames,
          lostAcks,
        }),
      );
    });
  }
});
