import { waitUntil } from '../lib/child-io.js';
import type { Task } from '../lib/tasks.js';

export type LatencyTask = Extract<Task, { kind: 'latency' }>;

/** Frames captured in the first second are left out: connections and caches are still warming. */
export const SKIP_FIRST_MS = 1000;
/**
 * After the last frame is produced, acks are awaited drainCapS at most. A processor slower
 * than the offered load builds a backlog that would take minutes to drain: frames still
 * unacked then count as infinitely late, so the percentiles stay honest lower bounds.
 */
export async function drained(
  task: LatencyTask,
  check: () => boolean,
  progress: () => void,
): Promise<void> {
  await waitUntil(
    () => {
      progress();
      return check();
    },
    task.drainCapS * 1000,
    20,
    'acks',
  ).catch(() => undefined);
}

export interface Measured {
  readonly latenciesMs: number[];
  /** Frames produced. */
  readonly frames: number;
  readonly acked: number;
  readonly settings: Record<string, unknown>;
}
