import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { FramePublisher } from '../../src/producer/frame-publisher.js';
import { createProducer, type ProducerDeps } from '../../src/producer/producer.js';
import type { FrameSource, RawFrame } from '../../src/producer/sources/frame-source.js';
import { ConfigSchema, type Config } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { sourceKeys, sourcesKey } from '../../src/shared/redis/keys.js';
import { readDurableCounters } from '../../src/shared/redis/durable-counters.js';
import { defineScripts } from '../../src/shared/redis/scripts.js';
import { oversizedJpeg, validJpeg } from '../helpers/frames.js';
import { useRedisServer } from '../helpers/redis-server.js';

function sourceOf(images: readonly Buffer[]): FrameSource {
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<RawFrame> {
      for (const data of images) {
        yield await Promise.resolve({
          width: 32,
          height: 24,
          image: { format: 'jpeg', data },
        } as const);
      }
    },
    close: () => Promise.resolve(),
  };
}

describe('producer writes frames to Redis', () => {
  const clients: RedisClient[] = [];
  const server = useRedisServer({
    beforeStop: async () => {
      await Promise.all(clients.map((c) => closeRedis(c)));
    },
  });

  const setup = (producer: Record<string, unknown>) => {
    const config: Config = ConfigSchema.parse({
      redis: { port: server.port, prefix: `test-${randomUUID()}` },
      producer: { width: 64, height: 48, fps: 1000, ...producer },
    });
    const redis = createRedis(config.redis, { name: 'producer' });
    clients.push(redis);
    const metrics = createMetrics(new Registry());
    const deps: ProducerDeps = { redis, logger: silentLogger(), metrics };
    return { config, deps, metrics, keys: sourceKeys(config.redis.prefix, 'cam1') };
  };

  it('stores N entries with binary JPEG data and every field, and registers the source', async () => {
    const { config, deps, metrics, keys } = setup({ frames: 20, batchSize: 4 });
    const producer = createProducer(config, deps);
    const stats = await producer.run(new AbortController().signal);
    await producer.close();

    assert.equal(stats.produced, 20);
    assert.equal(stats.lastSeq, 19);
    assert.equal(await server.redis.xlen(keys.frames), 20);
    const entries = await server.redis.xrangeBuffer(keys.frames, '-', '+');
    const seqs = [];
    for (const [, raw] of entries) {
      const f = new Map<string, Buffer>();
      for (let i = 0; i < raw.length; i += 2) {
        f.set(raw[i]!.toString(), raw[i + 1]!);
      }
      assert.deepEqual([...f.keys()].sort(), [
        'data',
        'fmt',
        'h',
        'meta',
        'seq',
        'source',
        'ts',
        'v',
        'w',
      ]);
      assert.deepEqual(f.get('data')!.subarray(0, 2), Buffer.from([0xff, 0xd8]));
      assert.equal(f.get('source')!.toString(), 'cam1');
      assert.equal(f.get('w')!.toString(), '64');
      assert.equal(f.get('fmt')!.toString(), 'jpeg');
      assert.match(f.get('ts')!.toString(), /^\d{16}$/);
      seqs.push(Number(f.get('seq')!.toString()));
    }
    assert.deepEqual(seqs, [...Array(20).keys()]);
    assert.deepEqual(await server.redis.smembers(sourcesKey(config.redis.prefix)), ['cam1']);
    const groups = (await server.redis.xinfo('GROUPS', keys.frames)) as unknown[][];
    assert.equal(groups[0]![1], config.worker.group);
    assert.equal((await metrics.framesProduced.get()).values[0]!.value, 20);
    assert.equal(await server.redis.get(keys.producerLease), null, 'lease released');
  });

  it('continues seq and ids after the previous run when restarted on the same stream', async () => {
    const { config, deps, keys } = setup({ frames: 5 });
    await createProducer(config, deps).run(new AbortController().signal);
    const second = createProducer(config, deps);
    const stats = await second.run(new AbortController().signal);
    await second.close();
    assert.equal(stats.produced, 5);
    assert.equal(await server.redis.xlen(keys.frames), 10);
    const seqs = (await server.redis.xrange(keys.frames, '-', '+')).map(
      ([, f]) => f[f.indexOf('seq') + 1],
    );
    assert.deepEqual(seqs, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('refuses an oversized frame, counts it, and publishes the others', async () => {
    const { config, deps, metrics, keys } = setup({ frames: 0, maxFrameBytes: 20_000 });
    const images = [
      await validJpeg(32, 24, 1),
      await oversizedJpeg(20_001),
      await validJpeg(32, 24, 2),
      await validJpeg(32, 24, 3),
    ];
    const producer = createProducer(config, { ...deps, source: sourceOf(images) });
    const stats = await producer.run(new AbortController().signal);
    await producer.close();

    assert.equal(stats.refused, 1);
    assert.equal(stats.produced, 3);
    const refused = (await metrics.framesRefused.get()).values;
    assert.deepEqual(
      refused.map((v) => [v.labels.reason, v.value]),
      [['too_large', 1]],
    );
    const stored = await server.redis.xrangeBuffer(keys.frames, '-', '+');
    const seqs = stored.map(([, f]) =>
      f[f.findIndex((b) => b.toString() === 'seq') + 1]!.toString(),
    );
    assert.deepEqual(seqs, ['0', '2', '3'], 'the refused frame used seq 1');
    const data = stored.map(([, f]) => f[f.findIndex((b) => b.toString() === 'data') + 1]);
    assert.deepEqual(data, [images[0], images[2], images[3]]);
  });

  it('with drop-oldest, trims the stream and dropped_unread + remaining = produced', async () => {
    const { config, deps, keys } = setup({ frames: 60, policy: 'drop-oldest', maxLen: 10 });
    const producer = createProducer(config, deps);
    const stats = await producer.run(new AbortController().signal);
    await producer.close();

    const len = await server.redis.xlen(keys.frames);
    assert.ok(len < 60, `trimmed to ${len}`);
    const c = await readDurableCounters(server.redis, keys);
    assert.equal(c.produced, 60);
    assert.equal(stats.produced, 60);
    assert.equal(c.dropped_unread + len, c.produced);
  });

  it('goes on counting seq after a stream trimmed to nothing, from its newest result', async () => {
    const { config, deps, keys } = setup({ frames: 5 });
    const first = createProducer(config, deps);
    await first.run(new AbortController().signal);
    await first.close();
    // A worker settled them all (its newest result says seq 4) and every frame was trimmed.
    await server.redis.xadd(keys.results, '*', 'frame', '1-0', 'seq', '4');
    await server.redis.xtrim(keys.frames, 'MAXLEN', 0);
    const second = createProducer({ ...config, producer: { ...config.producer, frames: 2 } }, deps);
    await second.run(new AbortController().signal);
    await second.close();
    const seqs = (await server.redis.xrange(keys.frames, '-', '+')).map(
      ([, f]) => f[f.indexOf('seq') + 1],
    );
    assert.deepEqual(seqs, ['5', '6'], 'not 0 and 1 again');
  });

  it('writes a producer metrics entry about once a second', async () => {
    const { config, deps, keys } = setup({ frames: 30, fps: 20 });
    const producer = createProducer(config, deps);
    await producer.run(new AbortController().signal);
    await producer.close();
    const entries = await server.redis.xrange(keys.metrics, '-', '+');
    assert.ok(entries.length >= 1);
    const fields = entries[0]![1];
    assert.equal(fields[fields.indexOf('type') + 1], 'producer');
    const payload = JSON.parse(fields[fields.indexOf('payload') + 1]!) as Record<string, unknown>;
    for (const k of ['fps', 'produced', 'dropped', 'refused', 'encodeMs', 'backlog']) {
      assert.ok(k in payload, `payload has ${k}`);
    }
    // The last entry, written at stop, has the final count.
    const last = entries.at(-1)![1];
    const final = JSON.parse(last[last.indexOf('payload') + 1]!) as { produced: number };
    assert.equal(final.produced, 30);
  });

  it('refuses a replayed batch with the same ids and counts it as duplicates, not stored twice', async () => {
    const { config, deps, keys } = setup({});
    defineScripts(deps.redis);
    await deps.redis.xgroup('CREATE', keys.frames, config.worker.group, '0', 'MKSTREAM');
    const publisher = new FramePublisher({
      redis: deps.redis,
      keys,
      source: 'cam1',
      group: config.worker.group,
      policy: 'block',
      maxLen: 100,
      logger: silentLogger(),
    });
    const data = await validJpeg(16, 16);
    const batch = [0, 1, 2].map((seq) => ({
      id: { ms: 1000, seq },
      seq,
      captureUs: 1_000_000,
      width: 16,
      height: 16,
      data,
    }));
    const signal = new AbortController().signal;
    const first = await publisher.publish(batch, signal);
    const replay = await publisher.publish(batch, signal);
    assert.deepEqual([first.added, first.duplicates], [3, 0]);
    assert.deepEqual([replay.added, replay.duplicates], [0, 3]);
    assert.equal(await server.redis.xlen(keys.frames), 3);
    const c = await readDurableCounters(server.redis, keys);
    assert.deepEqual([c.produced, c.duplicates], [3, 3]);
  });

  it('stops when the signal aborts and resolves with what it stored', async () => {
    const { config, deps, keys } = setup({ frames: 0, fps: 200 });
    const producer = createProducer(config, deps);
    const ctl = new AbortController();
    const running = producer.run(ctl.signal);
    while (producer.stats().produced < 5) {
      await new Promise((r) => setTimeout(r, 10));
    }
    ctl.abort();
    const stats = await running;
    await producer.close();
    await producer.close();
    assert.equal(stats.buffered, 0);
    assert.equal(stats.dropped, 0);
    assert.equal(await server.redis.xlen(keys.frames), stats.produced);
  });
});
