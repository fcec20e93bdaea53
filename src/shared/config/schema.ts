import { z } from 'zod';
import { ApiOptionsSchema } from './api-options.js';
import { BridgeOptionsSchema } from './bridge-options.js';
import { SinkOptionsSchema } from './sink-options.js';
import { ViewerOptionsSchema } from './viewer-options.js';
import { redisUrlFields } from './redis-url-layers.js';

/**
 * The one home of every option: its type, default and doc. `framepipe config init` and the
 * README's config table are generated from here, and env names are derived from the paths
 * (`worker.claimIdleMs` -> `FRAMEPIPE_WORKER_CLAIM_IDLE_MS`).
 */
const port = z.number().int().min(1).max(65535);
// setTimeout takes at most 2^31 - 1 ms; above it Node fires after 1 ms.
const ms = z.number().int().positive().max(2_147_483_647);
const sourceId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 of A-Z a-z 0-9 _ . -');
const hostPort = z.strictObject({ host: z.string().min(1), port });

/**
 * Pure: a redis URL's database (its path) is none, or 0-15 as redis.db allows. ioredis would
 * send any path to SELECT, and on "DB index is out of range" stay on database 0, silently.
 */
export function urlDatabaseOk(url: string): boolean {
  // Not a redis URL at all: the regex says so.
  const db = redisUrlFields(url)?.db;
  return db === undefined || (typeof db === 'number' && db <= 15);
}

export const RedisSchema = z.strictObject({
  url: z
    .string()
    .regex(/^rediss?:\/\/[^/]/, 'must be a redis:// or rediss:// URL')
    .refine(urlDatabaseOk, 'its database (the path after the port) must be a whole number 0-15')
    .optional()
    .describe(
      'redis:// or rediss:// URL: host/port/username/password/db/tls in one (a higher layer still overrides each)',
    ),
  mode: z
    .enum(['standalone', 'cluster', 'sentinel'])
    .default('standalone')
    .describe('standalone server, Redis Cluster (clusterNodes) or Sentinel (sentinels)'),
  host: z.string().min(1).default('127.0.0.1').describe('Redis host'),
  port: port.default(6379).describe('Redis port'),
  socketPath: z
    .string()
    .min(1)
    .optional()
    .describe('unix socket of a Redis on this machine (standalone); replaces host and port'),
  username: z.string().optional().describe('ACL user name'),
  password: z.string().optional().describe('Redis password'),
  db: z.number().int().min(0).max(15).default(0).describe('database number (standalone only)'),
  tls: z.boolean().default(false).describe('connect with TLS'),
  tlsCaFile: z.string().optional().describe('PEM file with the CA that signed the server cert'),
  tlsRejectUnauthorized: z.boolean().default(true).describe('verify the server certificate'),
  clusterNodes: z.array(hostPort).default([]).describe('Cluster seed nodes'),
  sentinels: z.array(hostPort).default([]).describe('Sentinel addresses'),
  sentinelName: z.string().default('mymaster').describe('Sentinel master name'),
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'use A-Z a-z 0-9 _ . -')
    .default('framepipe')
    .describe('key prefix of every stream and key'),
  connectTimeoutMs: ms.default(5000).describe('TCP connect timeout'),
  commandTimeoutMs: ms.default(10000).describe('timeout of a non-blocking command'),
});

export const ProducerSchema = z.strictObject({
  source: sourceId.default('cam1').describe('source id: names the streams {prefix}:{source}:*'),
  kind: z
    .enum(['synthetic', 'folder', 'video', 'camera'])
    .default('synthetic')
    .describe('where frames come from'),
  path: z.string().optional().describe('image folder, video file, or camera device (ffmpeg input)'),
  scene: z
    .enum(['pattern', 'plates'])
    .default('pattern')
    .describe(
      'synthetic source: a cheap test pattern, or car-plate scenes with ground truth in meta',
    ),
  loop: z.boolean().default(false).describe('replay the folder or video when it ends'),
  seed: z.number().int().default(1).describe('seed of the synthetic source'),
  frames: z.number().int().min(0).default(0).describe('stop after this many frames (0: no limit)'),
  fps: z
    .number()
    .min(0)
    .max(1000)
    .default(30)
    .describe(
      'frame rate cap; 0: none, frames as fast as the source gives them and backpressure allows (files, folders)',
    ),
  width: z.number().int().min(16).max(8192).default(640).describe('frame width in pixels'),
  height: z.number().int().min(16).max(8192).default(480).describe('frame height in pixels'),
  quality: z.number().int().min(1).max(100).default(80).describe('JPEG quality'),
  maxFrameBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024)
    .describe('frames larger than this are refused and counted'),
  policy: z
    .enum(['block', 'drop-oldest'])
    .default('block')
    .describe(
      'block: wait while unread + pending >= maxBacklog, never trim unread; drop-oldest: lossy MAXLEN',
    ),
  maxLen: z
    .number()
    .int()
    .min(10)
    .default(10000)
    .describe('stream length kept (MAXLEN ~); with block, only read and acked entries are trimmed'),
  maxBacklog: z
    .number()
    .int()
    .min(1)
    .default(2000)
    .describe('block policy: unread + pending entries at which the producer waits'),
  batchSize: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(16)
    .describe('frames per pipelined XADD batch'),
  batchesInFlight: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(1)
    .describe('batches written before the first is confirmed; 2-3 for fast sources (files)'),
  maxBufferedFrames: z
    .number()
    .int()
    .min(1)
    .default(256)
    .describe('in-memory frames kept while Redis is slow or down before the policy applies'),
  leaseTtlMs: ms
    .default(10000)
    .describe('producer lease TTL; another producer may take over after it'),
});

export const WorkerSchema = z.strictObject({
  group: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('workers')
    .describe('consumer group name'),
  consumer: z.string().optional().describe('consumer name (default: hostname-pid)'),
  sources: z.array(sourceId).default([]).describe('sources to consume (empty: every known source)'),
  processor: z
    .string()
    .default('stats')
    .describe('built-in processor (stats, thumbnail, noop, plate) or path to a module'),
  threads: z.number().int().min(1).max(64).default(2).describe('Piscina pool threads'),
  maxInFlight: z.number().int().min(1).max(4096).default(32).describe('frames processed at once'),
  readCount: z.number().int().min(1).max(1024).default(64).describe('XREADGROUP COUNT'),
  blockMs: ms.default(1000).describe('XREADGROUP BLOCK; bounds how fast shutdown notices'),
  claimIdleMs: ms.default(3000).describe('XAUTOCLAIM entries idle longer than this'),
  claimIntervalMs: ms.default(1000).describe('how often to look for abandoned entries'),
  maxDeliveries: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('deliveries before an entry is dead-lettered'),
  maxFrameBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024)
    .describe('entries with larger JPEG data are dead-lettered unread'),
  resultsMaxLen: z.number().int().min(10).default(100000).describe('results stream MAXLEN ~'),
  dlqMaxLen: z.number().int().min(10).default(100000).describe('dead-letter stream MAXLEN ~'),
  thumbnailDir: z
    .string()
    .default('thumbnails')
    .describe('output folder of the thumbnail processor'),
  thumbnailWidth: z.number().int().min(8).default(160).describe('thumbnail width in pixels'),
  plateSecondLook: z
    .boolean()
    .default(true)
    .describe(
      'plate processor: read a frame without a sure plate again at a larger size (small plates; about 3.5x the CPU of a 640x480 frame without a plate)',
    ),
  processTimeoutMs: ms
    .default(60000)
    .describe(
      'a frame not done this long after the processor took it (a pool processor: once a thread is free) fails: retried, then dead-lettered; a pool thread running it is replaced',
    ),
  shutdownTimeoutMs: ms.default(15000).describe('graceful drain deadline on SIGTERM'),
  idleConsumerMs: ms
    .default(60 * 60 * 1000)
    .describe('other consumers idle this long and holding nothing are removed from the group'),
});

export const LogSchema = z.strictObject({
  level: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level'),
  pretty: z.boolean().optional().describe('pretty logs (default: when stdout is a terminal)'),
});

export const MetricsSchema = z.strictObject({
  port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe('HTTP port of /metrics, /healthz and /readyz (0: off)'),
  host: z.string().default('127.0.0.1').describe('bind address of the metrics server'),
});

export const RecordingSchema = z.strictObject({
  dir: z
    .string()
    .default('recordings')
    .describe('folder of recorded frames: <dir>/<source>/<session>/<seq>.jpg'),
});

export const PostgresSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .default('postgres://postgres@127.0.0.1:5432/framepipe')
    .describe('PostgreSQL connection string of the sink and the API (env DATABASE_URL too)'),
});

// The sink and the API take the database from `postgres.url`.
const SinkSchema = SinkOptionsSchema.omit({ pgUrl: true });
const ApiSchema = ApiOptionsSchema.omit({ pgUrl: true });

export const ConfigSchema = z.strictObject({
  redis: RedisSchema.default(RedisSchema.parse({})),
  producer: ProducerSchema.default(ProducerSchema.parse({})),
  worker: WorkerSchema.default(WorkerSchema.parse({})),
  log: LogSchema.default(LogSchema.parse({})),
  metrics: MetricsSchema.default(MetricsSchema.parse({})),
  bridge: BridgeOptionsSchema.default(BridgeOptionsSchema.parse({})),
  viewer: ViewerOptionsSchema.default(ViewerOptionsSchema.parse({})),
  recording: RecordingSchema.default(RecordingSchema.parse({})),
  postgres: PostgresSchema.default(PostgresSchema.parse({})),
  sink: SinkSchema.default(SinkSchema.parse({})),
  api: ApiSchema.default(ApiSchema.parse({})),
});

export type Config = z.infer<typeof ConfigSchema>;
export type RedisConfig = Config['redis'];
export type ProducerConfig = Config['producer'];
export type WorkerConfig = Config['worker'];
export type LogConfig = Config['log'];
export type MetricsConfig = Config['metrics'];

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
