import { round } from './stats.js';
import type { Ratios, ThroughputRow } from './summary.js';

export interface Target {
  readonly target: string;
  readonly goal: string;
  readonly value: string;
  readonly met: boolean | null;
}

function fmt(n: number | null, suffix = ''): string {
  return n === null ? 'n/a' : `${round(n, 3)}${suffix}`;
}

function check(value: number | null, ok: (v: number) => boolean): boolean | null {
  return value === null ? null : ok(value);
}

/** Each target of the issue against this run's figures: met, NOT met, or not measured. */
export function targets(s: Ratios, rows: readonly ThroughputRow[]): Target[] {
  const statsRows = rows.filter((r) => r.processor === 'stats');
  const vsBare = statsRows.map((r) => `${r.size} ${fmt(r.framepipe_vs_bare)}`).join(', ');
  const handVsBare = statsRows.map((r) => `${r.size} ${fmt(r.streams_vs_bare)}`).join(', ');
  const vsBull = rows
    .map((r) => `${r.processor} ${r.size} ${fmt(r.framepipe_vs_bullmq)}`)
    .join(', ');
  const p99 = s.latency_p99_ms;
  const p99b = s.latency_p99_ms_bullmq;
  const lat = (v: number | null) =>
    !s.latency_measured ? 'n/a' : v === null ? 'unbounded (frames left unacked)' : `${v} ms`;
  const latencyMeasured = s.latency_measured;
  return [
    {
      target: 'framepipe / bare limit, stats',
      goal: '>= 0.95',
      value: `${vsBare} (hand-written streams loop: ${handVsBare})`,
      met: check(s.framepipe_vs_bare, (v) => v >= 0.95),
    },
    {
      target: 'framepipe / best BullMQ, every processor',
      goal: '>= 1.0',
      value: vsBull,
      met: check(s.framepipe_vs_bullmq, (v) => v >= 1),
    },
    {
      target: 'enqueue rate / BullMQ addBulk',
      goal: '>= 10',
      value: `${fmt(s.enqueue_vs_bullmq)} (plain pipelined XADD of the same frames: ${fmt(s.enqueue_raw_xadd_vs_bullmq)}; Redis's own XADD ceiling, redis-benchmark: ${fmt(s.enqueue_redis_ceiling_vs_bullmq)})`,
      met: check(s.enqueue_vs_bullmq, (v) => v >= 10),
    },
    {
      target: 'redis-server CPU per frame / BullMQ',
      goal: '<= 0.2',
      value: `${fmt(s.redis_cpu_per_frame_vs_bullmq)} (hand-written streams loop: ${fmt(s.redis_cpu_per_frame_streams_vs_bullmq)})`,
      met: check(s.redis_cpu_per_frame_vs_bullmq, (v) => v <= 0.2),
    },
    {
      target: 'Redis memory per queued 640x480 frame / JPEG size',
      goal: '<= 1.05',
      value: `${fmt(s.redis_bytes_per_frame_vs_jpeg)} (plain XADD ${fmt(s.redis_bytes_per_frame_vs_jpeg_raw_xadd)}, BullMQ ${fmt(s.redis_bytes_per_frame_vs_jpeg_bullmq)})`,
      met: check(s.redis_bytes_per_frame_vs_jpeg, (v) => v <= 1.05),
    },
    {
      target: 'produce-to-ack p99 at 8 x 30 fps, stats',
      goal: '< 50 ms and < BullMQ',
      value: `${lat(p99)} (BullMQ ${lat(p99b)}); noop: ${lat(s.latency_p99_ms_noop)} (BullMQ ${lat(s.latency_p99_ms_noop_bullmq)}); stats at ${s.latency_sustainable_load ?? 'n/a'}: ${lat(s.latency_p99_ms_sustainable)} (BullMQ ${lat(s.latency_p99_ms_sustainable_bullmq)})`,
      met: !latencyMeasured ? null : p99 !== null && p99 < 50 && (p99b === null || p99 < p99b),
    },
    {
      target: 'recovery after SIGKILL, default settings',
      goal: '<= 5 s',
      value: `${fmt(s.recovery_s, ' s')} (BullMQ ${s.recovery_bullmq_capped === true ? '>= ' : ''}${fmt(s.recovery_s_bullmq, ' s')})`,
      met: check(s.recovery_s, (v) => v <= 5),
    },
  ];
}
