import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRuntime, type Runtime } from '../../../../src/app/runtime.js';
import type { BridgeOptionsInput } from '../../../../src/shared/config/bridge-options.js';
import { runBridge, type BridgeStats } from '../../../../src/bridge/run-bridge.js';
import { ConfigSchema } from '../../../../src/shared/config/schema.js';
import { silentLogger } from '../../../../src/shared/logger.js';
import { sourceKeys, sourcesKey } from '../../../../src/shared/redis/keys.js';
import {
  encodeMetricFields,
  encodeResultFields,
  nowUs,
} from '../../../../src/shared/stream-entries.js';
import type { RedisServer } from '../../../helpers/redis-server.js';

export interface RunningBridge {
  readonly runtime: Runtime;
  readonly prefix: string;
  readonly done: Promise<BridgeStats>;
  stop(): Promise<BridgeStats>;
}

export function testRuntime(server: RedisServer, prefix = `test-${randomUUID()}`): Runtime {
  const config = ConfigSchema.parse({ redis: { port: server.port, prefix } });
  return createRuntime(config, { logger: silentLogger() });
}

/** Starts runBridge and resolves once its start positions are fixed. */
export async function startBridge(
  server: RedisServer,
  options: BridgeOptionsInput = {},
  prefix = `test-${randomUUID()}`,
): Promise<RunningBridge> {
  const runtime = testRuntime(server, prefix);
  const controller = new AbortController();
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const done = runBridge(
    runtime,
    controller.signal,
    { blockMs: 100, statusIntervalMs: 100, sourcesRefreshMs: 100, ...options },
    { onReady: ready, commandConsumer: 'test-bridge' },
  );
  await Promise.race([isReady, done]);
  return {
    runtime,
    prefix,
    done,
    async stop() {
      controller.abort();
      const stats = await done;
      await runtime.close();
      return stats;
    },
  };
}

export async function addSource(redis: Redis, prefix: string, source = 'cam1'): Promise<void> {
  await redis.sadd(sourcesKey(prefix), source);
}

export async function addResult(
  redis: Redis,
  prefix: string,
  seq: number,
  payload: unknown,
  source = 'cam1',
): Promise<string> {
  const done = nowUs();
  const fields = encodeResultFields({
    source,
    frameId: `${1000 + seq}-0`,
    seq,
    processor: 'plates',
    captureUs: done - 40_000,
    doneUs: done,
    durationMs: 12.5,
    consumer: 'w1',
    payload,
  });
  return (await redis.xadd(sourceKeys(prefix, source).results, '*', ...fields))!;
}

export async function addProducerMetrics(
  redis: Redis,
  prefix: string,
  payload: Record<string, unknown>,
  source = 'cam1',
): Promise<void> {
  const fields = encodeMetricFields({ source, type: 'producer', atUs: nowUs(), payload });
  await redis.xadd(sourceKeys(prefix, source).metrics, '*', ...fields);
}
