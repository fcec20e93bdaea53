/**
 * One framepipe worker process of the scale bench: the same createWorker as `framepipe work`,
 * driven over IPC so every run starts all its workers at the same moment, after their
 * connections are up and the processor is warm. The process lives for all runs of a backend;
 * each run gets a fresh worker (new prefix, new consumer name).
 * argv[2]: JSON RedisLayer.
 */
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/shared/config/load-config.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { closeRedis, createRedis, type RedisClient } from '../../src/shared/redis/create-redis.js';
import { loadProcessor } from '../../src/workers/processors/load-processor.js';
import { createWorker, type Worker, type WorkerStats } from '../../src/workers/worker.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import type { FromChild, RedisLayer, StartRun, ToChild } from './messages.js';

const PROGRESS_EVERY_MS = 20;
const WARMUP_CALLS = 8;

const layer = JSON.parse(process.argv[2] ?? '{}') as RedisLayer;

interface Current {
  readonly worker: Worker;
  readonly clients: RedisClient[];
  readonly stopper: AbortController;
  running?: Promise<WorkerStats>;
  timer?: NodeJS.Timeout;
  cpuAtGo?: NodeJS.CpuUsage;
}

let current: Current | undefined;

function send(message: FromChild): void {
  process.send?.(message);
}

async function warmUp(run: StartRun): Promise<void> {
  const set = await loadFrameSet(parseSize(run.size), run.distinct);
  const { processor } = await loadProcessor(run.processor);
  const options = { thumbnailDir: 'thumbnails', thumbnailWidth: 160 };
  for (let n = 0; n < WARMUP_CALLS; n++) {
    const data = set.jpegs[n % set.jpegs.length]!;
    await processor.process(
      { id: `0-${n + 1}`, source: 'warm', seq: n, captureUs: 0, width: 0, height: 0, data },
      options,
    );
  }
}

async function start(run: StartRun): Promise<void> {
  const config = parseConfig([
    { redis: { ...layer, prefix: run.prefix }, log: { level: 'silent' } },
    { worker: { consumer: run.consumer, processor: run.processor, sources: [...run.sources] } },
  ]);
  const redis = createRedis(config.redis, { name: run.consumer });
  const blockingRedis = createRedis(config.redis, {
    name: `${run.consumer}-blocking`,
    blocking: true,
  });
  await Promise.all([redis.ping(), blockingRedis.ping()]);
  const worker = await createWorker(config, {
    redis,
    blockingRedis,
    logger: silentLogger(),
    metrics: createMetrics(new Registry()),
  });
  await warmUp(run);
  current = { worker, clients: [redis, blockingRedis], stopper: new AbortController() };
  send({ type: 'ready' });
}

function go(c: Current): void {
  c.cpuAtGo = process.cpuUsage();
  c.running = c.worker.run(c.stopper.signal);
  let last = -1;
  c.timer = setInterval(() => {
    const processed = c.worker.stats().processed;
    if (processed !== last) {
      last = processed;
      send({ type: 'progress', processed });
    }
  }, PROGRESS_EVERY_MS);
}

async function stop(c: Current): Promise<void> {
  const cpu = process.cpuUsage(c.cpuAtGo);
  clearInterval(c.timer);
  c.stopper.abort();
  const stats = (await c.running) ?? c.worker.stats();
  await c.worker.close();
  await Promise.all(c.clients.map((r) => closeRedis(r)));
  current = undefined;
  send({ type: 'stopped', stats, cpuS: (cpu.user + cpu.system) / 1e6 });
}

async function handle(message: ToChild): Promise<void> {
  if (message.type === 'start') {
    await start(message);
  } else if (current === undefined) {
    throw new Error(`"${message.type}" with no worker started`);
  } else if (message.type === 'go') {
    go(current);
  } else {
    await stop(current);
  }
}

process.on('message', (raw: unknown) => {
  handle(raw as ToChild).catch((err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  });
});
process.on('disconnect', () => process.exit(0));
send({ type: 'idle' });
