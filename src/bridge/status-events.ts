/**
 * Pure status-change detection: which workers joined or left (from XINFO CONSUMERS snapshots)
 * and when a producer enters or leaves backpressure (from its metrics entries). Only changes
 * become events; the first snapshot is a baseline.
 */
export interface ConsumerRow {
  readonly source: string;
  readonly group: string;
  readonly name: string;
  readonly idleMs: number;
  readonly pending: number;
}

export interface WorkerEvent {
  readonly event: 'worker_joined' | 'worker_left';
  readonly source: string;
  readonly group: string;
  readonly consumer: string;
  readonly pending: number;
  /** worker_left: `idle` (stopped reading) or `deleted` (removed from the group). */
  readonly reason?: 'idle' | 'deleted';
}

export const consumerKey = (r: Pick<ConsumerRow, 'source' | 'group' | 'name'>): string =>
  `${r.source}\u0000${r.group}\u0000${r.name}`;

/**
 * Workers never delete their consumer (that would drop pending entries), so "left" means idle
 * longer than staleMs; a consumer that reads again joins again.
 */
export function diffConsumers(
  previous: ReadonlyMap<string, ConsumerRow>,
  rows: readonly ConsumerRow[],
  staleMs: number,
): { active: Map<string, ConsumerRow>; events: WorkerEvent[] } {
  const active = new Map<string, ConsumerRow>();
  const seen = new Set<string>();
  const events: WorkerEvent[] = [];
  for (const row of rows) {
    const key = consumerKey(row);
    seen.add(key);
    if (row.idleMs < staleMs) {
      active.set(key, row);
      if (!previous.has(key)) {
        events.push(workerEvent('worker_joined', row));
      }
    } else if (previous.has(key)) {
      events.push({ ...workerEvent('worker_left', row), reason: 'idle' });
    }
  }
  for (const [key, row] of previous) {
    if (!seen.has(key)) {
      events.push({ ...workerEvent('worker_left', row), reason: 'deleted' });
    }
  }
  return { active, events };
}

function workerEvent(event: WorkerEvent['event'], row: ConsumerRow): WorkerEvent {
  return { event, source: row.source, group: row.group, consumer: row.name, pending: row.pending };
}

export interface BackpressureState {
  readonly active: boolean;
  readonly dropped: number;
}

export interface BackpressureEvent {
  readonly event: 'backpressure';
  readonly source: string;
  readonly active: boolean;
  readonly buffered: number;
  /** Frames the producer dropped since the previous metrics entry. */
  readonly droppedDelta: number;
  readonly backlog: number | null;
}

const numberOr = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

/**
 * A producer is under backpressure while it holds at least bufferedThreshold frames or drops
 * frames. `metrics` is the payload of its `producer` metrics entry (edge-metrics.ts).
 */
export function nextBackpressure(
  source: string,
  previous: BackpressureState | undefined,
  metrics: unknown,
  bufferedThreshold: number,
): { state: BackpressureState; event?: BackpressureEvent } {
  const m = (typeof metrics === 'object' && metrics !== null ? metrics : {}) as Record<
    string,
    unknown
  >;
  const buffered = numberOr(m.buffered, 0);
  const dropped = numberOr(m.dropped, previous?.dropped ?? 0);
  const droppedDelta = previous === undefined ? 0 : Math.max(0, dropped - previous.dropped);
  const active = buffered >= bufferedThreshold || droppedDelta > 0;
  const state = { active, dropped };
  if (active === (previous?.active ?? false)) {
    return { state };
  }
  const backlog = typeof m.backlog === 'number' ? m.backlog : null;
  return {
    state,
    event: { event: 'backpressure', source, active, buffered, droppedDelta, backlog },
  };
}
