import type { Redis } from 'ioredis';
import { cpuSeconds, mb, peakRssMb } from './child-io.js';
import { commandStats, commandsPerFrame, type PerFrame } from './command-stats.js';
import { countRedisFaults, redisCpuSeconds, sampleRedisMemory } from './redis-info.js';
import { cpuPerFrame, round } from './stats.js';
import type { ScenarioResult } from './tasks.js';

/** What an end-to-end throughput run measured over its timed window. */
export interface WindowFigures {
  readonly seconds: number;
  /** CPU of this (the measured) process, every thread. */
  readonly workerCpuS: number;
  readonly redisCpuS: number;
  readonly faultsPerFrame: number | undefined;
  readonly commands: Record<string, PerFrame>;
  readonly peakMemoryBytes: number;
}

export interface TimedWindow {
  /** Ends the window over `frames`: call it as soon as the last frame is acked. */
  close(frames: number): Promise<WindowFigures>;
}

/**
 * Opens the timed window of an end-to-end run (framepipe, the hand-written loop, BullMQ) the
 * same way for every system: Redis's page faults, command stats, CPU and memory, and this
 * process's CPU, from now until close().
 */
export async function openWindow(admin: Redis): Promise<TimedWindow> {
  const faultsPerFrame = await countRedisFaults(admin);
  const cmd0 = await commandStats(admin);
  const cpu0 = await redisCpuSeconds(admin);
  const memory = sampleRedisMemory(admin);
  const workerCpu0 = cpuSeconds();
  const started = performance.now();
  return {
    async close(frames) {
      const seconds = (performance.now() - started) / 1000;
      const workerCpuS = cpuSeconds() - workerCpu0;
      const cpu1 = await redisCpuSeconds(admin);
      const cmd1 = await commandStats(admin);
      return {
        seconds,
        workerCpuS,
        redisCpuS: cpu1 - cpu0,
        faultsPerFrame: await faultsPerFrame(frames),
        commands: commandsPerFrame(cmd0, cmd1, frames),
        peakMemoryBytes: await memory.stop(),
      };
    },
  };
}

/** The load process's own figures (producers, adds), reported by its fixture. */
export interface LoadFigures {
  readonly peakRssMb: number;
  readonly cpuS: number;
}

/** Pure but for this process's peak RSS: the figures every end-to-end result reports alike. */
export function windowResult(
  w: WindowFigures,
  frames: number,
  meanBytes: number,
  load: LoadFigures,
): Pick<
  ScenarioResult,
  | 'frames'
  | 'seconds'
  | 'frames_per_s'
  | 'mb_per_s'
  | 'jpeg_bytes_mean'
  | 'peak_rss_mb'
  | 'producer_peak_rss_mb'
  | 'redis_used_memory_peak_mb'
  | 'redis_cpu_s'
  | 'redis_cpu_us_per_frame'
  | 'cpu_us_per_frame'
  | 'redis_minor_faults_per_frame'
  | 'redis_commands_per_frame'
> {
  const fps = frames / w.seconds;
  return {
    frames,
    seconds: round(w.seconds),
    frames_per_s: round(fps, 1),
    mb_per_s: round(mb(fps * meanBytes), 2),
    jpeg_bytes_mean: Math.round(meanBytes),
    peak_rss_mb: peakRssMb(),
    producer_peak_rss_mb: load.peakRssMb,
    redis_used_memory_peak_mb: mb(w.peakMemoryBytes),
    redis_cpu_s: round(w.redisCpuS),
    redis_cpu_us_per_frame: round((w.redisCpuS / frames) * 1e6, 1),
    cpu_us_per_frame: cpuPerFrame(
      { worker: w.workerCpuS, producer: load.cpuS, redis: w.redisCpuS },
      frames,
    ),
    redis_minor_faults_per_frame: w.faultsPerFrame,
    redis_commands_per_frame: w.commands,
  };
}
