import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import sharp from 'sharp';
import { ConfigSchema, type Config } from '../../src/shared/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics, type Metrics } from '../../src/shared/metrics.js';
import { sourceKeys, type SourceKeys } from '../../src/shared/redis/keys.js';
import { defineScripts, publishFrame } from '../../src/shared/redis/scripts.js';
import { encodeFrameFields } from '../../src/shared/stream-entries.js';
import { createWorker, type Worker, type WorkerStats } from '../../src/workers/worker.js';
import type { RedisServer } from './redis-server.js';
import { waitFor } from './wait-for.js';

/** A small JPEG with a deterministic pattern (stripes + seed), so stats are plausible. */
export async function makeJpeg(width = 64, height = 48, seed = 1): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = ((x >> 2) + (y >> 2) + seed) % 2 === 0 ? 40 : 210;
      raw.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** Starts like a JPEG (SOI) so it passes field validation, but no decoder can read it. */
export function corruptJpeg(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 0x5a)]);
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../unit/workers/fixtures/${name}`, import.meta.url));
}

export function testConfig(server: RedisServer, worker: Partial<Config['worker']> = {}): Config {
  return ConfigSchema.parse({
    redis: { port: server.port, prefix: `test-${randomUUID()}` },
    worker: {
      consumer: 'w1',
      sources: ['cam1'],
      processor: 'noop',
      blockMs: 50,
      claimIdleMs: 300,
      claimIntervalMs: 50,
      shutdownTimeoutMs: 10_000,
      ...worker,
    },
  });
}

export function keysOf(config: Config, source = 'cam1'): SourceKeys {
  return sourceKeys(config.redis.prefix, source);
}

/** Adds frames seq 0..n-1 with ids `${1000 + seq}-0`; `data(seq)` overrides the JPEG. */
export async function putFrames(
  redis: Redis,
  config: Config,
  n: number,
  data: (seq: number) => Buffer | Promise<Buffer> = () => makeJpeg(),
  source = 'cam1',
): Promise<string[]> {
  defineScripts(redis);
  const keys = keysOf(config, source);
  await redis.xgroup('CREATE', keys.frames, config.worker.group, '0', 'MKSTREAM').catch(() => 0);
  const ids: string[] = [];
  for (let seq = 0; seq < n; seq++) {
    const id = `${1000 + seq}-0`;
    const fields = encodeFrameFields({
      source,
      seq,
      captureUs: Date.now() * 1000,
      width: 64,
      height: 48,
      format: 'jpeg',
      data: await data(seq),
    });
    await publishFrame(redis, {
      framesKey: keys.frames,
      statsKey: keys.stats,
      group: config.worker.group,
      id,
      policy: 'block',
      maxLen: 100_000,
      fields,
    });
    ids.push(id);
  }
  return ids;
}

export async function pendingCount(
  redis: Redis,
  keys: SourceKeys,
  group = 'workers',
): Promise<number> {
  const summary = (await redis.xpending(keys.frames, group)) as [number, ...unknown[]];
  return Number(summary[0]);
}

/** `frame` field of every result entry. */
export async function resultFrameIds(redis: Redis, keys: SourceKeys): Promise<string[]> {
  const entries = await redis.xrange(keys.results, '-', '+');
  return entries.map(([, fields]) => fields[fields.indexOf('frame') + 1] ?? '');
}

export async function dlqEntries(
  redis: Redis,
  keys: SourceKeys,
): Promise<Record<string, string>[]> {
  const entries = await redis.xrange(keys.dlq, '-', '+');
  return entries.map(([, fields]) => {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] !== 'data') {
        out[fields[i]!] = fields[i + 1]!;
      }
    }
    return out;
  });
}

export interface RunningWorker {
  readonly worker: Worker;
  readonly metrics: Metrics;
  /** Aborts and waits for the drain; the connections are closed afterwards. */
  stop(): Promise<WorkerStats>;
}

export async function startWorker(server: RedisServer, config: Config): Promise<RunningWorker> {
  const redis = server.client();
  const blockingRedis = server.client();
  const metrics = createMetrics(new Registry());
  const worker = await createWorker(config, {
    redis,
    blockingRedis,
    logger: silentLogger(),
    metrics,
  });
  const controller = new AbortController();
  const done = worker.run(controller.signal);
  await waitFor('worker ready', () => worker.ready());
  return {
    worker,
    metrics,
    async stop() {
      controller.abort();
      const stats = await done;
      redis.disconnect();
      blockingRedis.disconnect();
      return stats;
    },
  };
}
