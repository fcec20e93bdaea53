import type { CpuPerFrame } from './tasks.js';

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Percentiles in ms; null where the percentile falls on a frame that was never acked. */
export interface LatencySummary {
  readonly samples: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly max_ms: number | null;
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? round(n, 2) : null;
}

export function summariseLatency(valuesMs: readonly number[]): LatencySummary {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50_ms: finite(percentile(sorted, 50)),
    p95_ms: finite(percentile(sorted, 95)),
    p99_ms: finite(percentile(sorted, 99)),
    max_ms: finite(sorted.at(-1) ?? Number.NaN),
  };
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return null;
  }
  return round(a / b, 3);
}

/** CPU seconds per process over a run -> microseconds per frame, with their sum. */
export function cpuPerFrame(
  seconds: { readonly worker: number; readonly producer?: number; readonly redis?: number },
  frames: number,
): CpuPerFrame {
  const us = (s: number) => round((s / frames) * 1e6, 1);
  const total = seconds.worker + (seconds.producer ?? 0) + (seconds.redis ?? 0);
  return {
    worker: us(seconds.worker),
    ...(seconds.producer === undefined ? {} : { producer: us(seconds.producer) }),
    ...(seconds.redis === undefined ? {} : { redis: us(seconds.redis) }),
    total: us(total),
  };
}
