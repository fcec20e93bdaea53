import type { PgPool } from '../db/create-pg.js';
import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import { decodeResultEntry } from '../shared/stream-entries.js';
import type { RawEntry } from '../shared/redis/stream-replies.js';
import { setLatest, type LatestResult } from './latest-cache.js';
import type { ResultSource } from './result-sources.js';
import type { SinkMetrics } from './sink-metrics.js';
import { toSinkRow, type SinkRow } from './sink-rows.js';
import { writeBatch } from './sink-writer.js';

export interface SourceEntries {
  readonly source: ResultSource;
  readonly entries: readonly RawEntry[];
}

export interface SettleReport {
  readonly rows: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly trimmed: number;
  readonly invalid: number;
}

export interface SettleDeps {
  readonly redis: RedisClient;
  readonly pg: PgPool;
  readonly prefix: string;
  readonly group: string;
  readonly metrics: SinkMetrics;
  readonly logger: Logger;
}

const EMPTY: SettleReport = { rows: 0, inserted: 0, duplicates: 0, trimmed: 0, invalid: 0 };

interface Plan {
  readonly rows: SinkRow[];
  readonly latest: LatestResult | undefined;
  readonly trimmed: string[];
  readonly invalid: string[];
}

/** Pure: what each entry of one source becomes. Entries arrive in stream order. */
function plan(source: string, entries: readonly RawEntry[], log: Logger): Plan {
  const out: Plan = { rows: [], latest: undefined, trimmed: [], invalid: [] };
  let latest: LatestResult | undefined;
  for (const e of entries) {
    if (e.fields === null) {
      out.trimmed.push(e.id);
      continue;
    }
    try {
      const r = decodeResultEntry(e.id, e.fields);
      out.rows.push(toSinkRow(source, e.id, r));
      latest = { ...r, source, id: e.id };
    } catch (err) {
      // A result the worker should never have written: keep it out of the PEL for good.
      log.warn({ source, entryId: e.id, err }, 'invalid result entry acked without a row');
      out.invalid.push(e.id);
    }
  }
  return { ...out, latest };
}

/**
 * One batch: every row in one PostgreSQL transaction, then (only after COMMIT) XACK and the
 * latest-result hash in one pipeline. If anything throws, nothing is acked: the entries stay
 * pending and are read again, and the idempotent insert makes the replay harmless.
 */
export async function settleResults(
  deps: SettleDeps,
  batches: readonly SourceEntries[],
): Promise<SettleReport> {
  const plans = batches
    .filter((b) => b.entries.length > 0)
    .map((b) => ({
      s: b.source,
      ids: b.entries.map((e) => e.id),
      ...plan(b.source.source, b.entries, deps.logger),
    }));
  if (plans.length === 0) {
    return EMPTY;
  }
  const stopTimer = deps.metrics.batchSeconds.startTimer();
  const rows = plans.flatMap((p) => p.rows);
  const written = await writeBatch(deps.pg, rows);
  // One pipeline per source: its keys share a hash slot, which Redis Cluster requires.
  const replies = await Promise.all(
    plans.map((p) => {
      const pipeline = deps.redis.pipeline().xack(p.s.keys.results, deps.group, ...p.ids);
      if (p.latest !== undefined) {
        setLatest(pipeline, deps.prefix, p.latest);
      }
      return pipeline.exec();
    }),
  );
  const failed = replies.flatMap((r) => r ?? []).find(([err]) => err !== null);
  if (failed !== undefined) {
    throw failed[0] ?? new Error('pipeline failed');
  }
  stopTimer();
  for (const p of plans) {
    const source = p.s.source;
    deps.metrics.dropped.inc({ source, reason: 'trimmed' }, p.trimmed.length);
    deps.metrics.dropped.inc({ source, reason: 'invalid' }, p.invalid.length);
    if (p.trimmed.length > 0) {
      deps.logger.warn(
        { source, count: p.trimmed.length },
        'results trimmed while pending: acked and counted as dropped',
      );
    }
  }
  for (const p of plans) {
    const source = p.s.source;
    const inserted = written.insertedBySource.get(source) ?? 0;
    deps.metrics.rows.inc({ source, outcome: 'inserted' }, inserted);
    deps.metrics.rows.inc({ source, outcome: 'duplicate' }, p.rows.length - inserted);
  }
  return {
    rows: rows.length,
    inserted: written.inserted,
    duplicates: written.duplicates,
    trimmed: plans.reduce((n, p) => n + p.trimmed.length, 0),
    invalid: plans.reduce((n, p) => n + p.invalid.length, 0),
  };
}
