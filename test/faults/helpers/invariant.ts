import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { readDurableCounters } from '../../../src/shared/redis/durable-counters.js';
import type { SourceKeys } from '../../../src/shared/redis/keys.js';
import { waitForValue } from '../../helpers/wait-for.js';
import { pendingCount, resultFrameIds } from '../../helpers/worker-fixtures.js';

/** The durable counters of a source (src/shared/redis/durable-counters.ts). */
export interface DurableStats {
  produced: number;
  duplicates: number;
  processed: number;
  deadLettered: number;
  droppedUnread: number;
  droppedPending: number;
}

export async function readDurableStats(redis: Redis, keys: SourceKeys): Promise<DurableStats> {
  const c = await readDurableCounters(redis, keys);
  return {
    produced: c.produced,
    duplicates: c.duplicates,
    processed: c.processed,
    deadLettered: c.dead_lettered,
    droppedUnread: c.dropped_unread,
    droppedPending: c.dropped_pending,
  };
}

/**
 * The invariant of issue 6: produced = processed + dead-lettered + counted drops (lost = 0);
 * the results stream holds exactly `processed` entries, one per frame id; nothing pending.
 */
export async function assertInvariant(redis: Redis, keys: SourceKeys): Promise<DurableStats> {
  const s = await readDurableStats(redis, keys);
  const lost = s.produced - (s.processed + s.deadLettered + s.droppedUnread + s.droppedPending);
  assert.equal(lost, 0, `lost = ${lost}: ${JSON.stringify(s)}`);
  const frames = await resultFrameIds(redis, keys);
  assert.equal(frames.length, s.processed, 'one result entry per processed frame');
  assert.equal(new Set(frames).size, frames.length, 'no frame has two results');
  assert.equal(await pendingCount(redis, keys), 0, 'nothing pending');
  return s;
}

/** Waits until every produced frame is settled (processed, dead-lettered or dropped). */
export function waitSettled(
  redis: Redis,
  keys: SourceKeys,
  timeoutMs: number,
  expectProduced?: number,
): Promise<DurableStats> {
  return waitForValue(
    'every frame to settle',
    () => readDurableStats(redis, keys),
    async (s) => {
      const settled = s.processed + s.deadLettered + s.droppedUnread + s.droppedPending;
      const enough = expectProduced === undefined || s.produced >= expectProduced;
      return (
        enough && s.produced > 0 && settled >= s.produced && (await pendingCount(redis, keys)) === 0
      );
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** One line of the reliability table, shown in the test output (t.diagnostic) and stdout. */
export function figureLine(scenario: string, figures: Record<string, number | string>): string {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v}`);
  return `[reliability] ${scenario}: ${parts.join(' ')}`;
}
