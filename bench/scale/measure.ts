import { cpus } from 'node:os';
import { parseConfig } from '../../src/shared/config/load-config.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { waitUntil } from '../lib/child-io.js';
import { commandsPerFrame } from '../lib/command-stats.js';
import { jpegSource, sourceIds, startProducers } from '../lib/framepipe-env.js';
import { loadFrameSet, parseSize } from '../lib/frames.js';
import { round } from '../lib/stats.js';
import type { Backend } from './backends.js';
import { busyCores, machineCpuTicks } from './machine-cpu.js';
import type { PlannedRun } from './plan.js';
import type { WorkerProcs } from './worker-procs.js';

const DRAIN_TIMEOUT_MS = 300_000;

export interface ScaleResult {
  readonly backend: string;
  readonly processor: string;
  readonly size: string;
  readonly workers: number;
  readonly repeat: number;
  readonly frames: number;
  readonly seconds: number;
  readonly frames_per_s: number;
  readonly mb_per_s: number;
  readonly jpeg_bytes_mean: number;
  readonly redis_cpu_s: number;
  readonly redis_cpu_us_per_frame: number;
  readonly worker_cpu_ms_per_frame: number;
  /** redis-server(s) + worker processes CPU seconds per second of drain. */
  readonly bench_cpu_cores: number;
  /** Cores busy on the whole machine during the drain (other tenants included). */
  readonly machine_busy_cores: number | null;
  readonly produce: { seconds: number; frames_per_s: number; redis_cpu_us_per_frame: number };
  /** Sources per master (cluster). */
  readonly shards: Record<string, number>;
  readonly duplicates: number;
  readonly reclaimed: number;
  readonly redis_commands_per_frame: ReturnType<typeof commandsPerFrame>;
  /** From Redis after the run: durable `processed` counters, results, entries still pending. */
  readonly check: { processed: number; results: number; pending: number };
}

export interface RunContext {
  readonly backend: Backend;
  readonly procs: WorkerProcs;
  readonly sources: number;
  readonly distinct: number;
  readonly prefix: string;
  readonly onProgress: (fraction: number, detail: string) => void;
}

/** Stream id `ms-seq` to its millisecond part. */
function idMs(id: string | undefined): number {
  return id === undefined ? 0 : Number(id.split('-')[0]);
}

async function produceBacklog(ctx: RunContext, run: PlannedRun, ids: readonly string[]) {
  const set = await loadFrameSet(parseSize(run.case.size), ctx.distinct);
  const perSource = Math.ceil(run.case.frames / ids.length);
  const config = parseConfig([
    { redis: { ...ctx.backend.layer, prefix: ctx.prefix }, log: { level: 'silent' } },
    // Room for the whole backlog: the block policy must not wait for workers not started yet.
    {
      producer: { fps: 1000, maxBacklog: perSource + 64, maxLen: Math.max(10_000, perSource * 2) },
    },
  ]);
  const cpu0 = await ctx.backend.cpuSeconds();
  const started = performance.now();
  const producers = startProducers(config, ids, (i) => jpegSource(set, perSource, i * perSource), {
    producer: { frames: perSource },
  });
  await producers.done;
  const seconds = (performance.now() - started) / 1000;
  await producers.stop();
  const cpu = (await ctx.backend.cpuSeconds()) - cpu0;
  const total = perSource * ids.length;
  return {
    set,
    total,
    produce: {
      seconds: round(seconds),
      frames_per_s: round(total / seconds, 1),
      redis_cpu_us_per_frame: round((cpu / total) * 1e6, 1),
    },
  };
}

async function checkRedis(ctx: RunContext, ids: readonly string[]) {
  const { client } = ctx.backend;
  const rows = await Promise.all(
    ids.map(async (s) => {
      const k = sourceKeys(ctx.prefix, s);
      const [processed, results, pending, last] = await Promise.all([
        client.hget(k.stats, 'processed'),
        client.xlen(k.results),
        client.xpending(k.frames, 'workers') as Promise<[number, ...unknown[]]>,
        client.xrevrange(k.results, '+', '-', 'COUNT', 1),
      ]);
      return { processed: Number(processed ?? 0), results, pending: Number(pending[0]), last };
    }),
  );
  return {
    processed: rows.reduce((s, r) => s + r.processed, 0),
    results: rows.reduce((s, r) => s + r.results, 0),
    pending: rows.reduce((s, r) => s + r.pending, 0),
    lastResultMs: Math.max(...rows.map((r) => idMs(r.last[0]?.[0]))),
  };
}

/**
 * One run: produce a fixed backlog over `sources` streams, start `run.workers` worker
 * processes, and time from their common start to the last result entry (Redis's clock,
 * written by the settle script that also XACKs).
 */
export async function measureRun(ctx: RunContext, run: PlannedRun): Promise<ScaleResult> {
  const { backend, procs } = ctx;
  const ids = sourceIds(ctx.sources);
  await backend.flush();
  const { set, total, produce } = await produceBacklog(ctx, run, ids);
  await procs.start(run.workers, (i) => ({
    type: 'start',
    prefix: ctx.prefix,
    processor: run.case.processor,
    consumer: `w${i}`,
    sources: ids,
    size: run.case.size,
    distinct: ctx.distinct,
  }));
  const [cpu0, cmd0, ticks0] = await Promise.all([
    backend.cpuSeconds(),
    backend.commandStats(),
    machineCpuTicks(),
  ]);
  const startedMs = Date.now();
  procs.go();
  await waitUntil(
    () => {
      const done = procs.processed();
      ctx.onProgress(done / total, `${done}/${total}`);
      return done >= total;
    },
    DRAIN_TIMEOUT_MS,
    10,
    'backlog drained',
  );
  const wallS = (Date.now() - startedMs) / 1000;
  const [cpu1, cmd1, ticks1] = await Promise.all([
    backend.cpuSeconds(),
    backend.commandStats(),
    machineCpuTicks(),
  ]);
  const stopped = await procs.stop();
  const check = await checkRedis(ctx, ids);
  // The last result's id is the Redis clock of the settle that acked it; same host, same clock.
  const endS = (check.lastResultMs - startedMs) / 1000;
  const seconds = endS > 0 && endS <= wallS + 0.05 ? endS : wallS;
  const shardOf = await backend.shards(ctx.prefix, ids);
  const shards: Record<string, number> = {};
  Object.values(shardOf).forEach((m) => (shards[m] = (shards[m] ?? 0) + 1));
  const redisCpu = cpu1 - cpu0;
  const workerCpu = stopped.reduce((s, w) => s + w.cpuS, 0);
  return {
    backend: backend.kind,
    processor: run.case.processor,
    size: run.case.size,
    workers: run.workers,
    repeat: run.repeat,
    frames: total,
    seconds: round(seconds),
    frames_per_s: round(total / seconds, 1),
    mb_per_s: round((total * set.meanBytes) / seconds / 1024 / 1024, 2),
    jpeg_bytes_mean: Math.round(set.meanBytes),
    redis_cpu_s: round(redisCpu),
    redis_cpu_us_per_frame: round((redisCpu / total) * 1e6, 1),
    worker_cpu_ms_per_frame: round((workerCpu / total) * 1e3, 3),
    bench_cpu_cores: round((redisCpu + workerCpu) / seconds, 2),
    machine_busy_cores: busyCores(ticks0, ticks1, cpus().length),
    produce,
    shards,
    duplicates: stopped.reduce((s, w) => s + w.stats.duplicates, 0),
    reclaimed: stopped.reduce((s, w) => s + w.stats.reclaimed, 0),
    redis_commands_per_frame: commandsPerFrame(cmd0, cmd1, total),
    check: { processed: check.processed, results: check.results, pending: check.pending },
  };
}
