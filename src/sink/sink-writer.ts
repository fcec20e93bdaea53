import type pg from 'pg';
import { inTransaction, type PgPool } from '../db/create-pg.js';
import type { PlateReadRow, ResultRow, SinkRow } from './sink-rows.js';

export interface WriteReport {
  /** Rows new to the database. */
  readonly inserted: number;
  /** The same, per source. */
  readonly insertedBySource: ReadonlyMap<string, number>;
  /** Rows that were there already (a batch replayed after a crash between COMMIT and XACK). */
  readonly duplicates: number;
}

/** µs since the epoch to timestamptz without going through a float or a JS Date (ms only). */
const US_TO_TIMESTAMP = (p: string) =>
  `(TIMESTAMPTZ 'epoch' + ${p}::bigint * INTERVAL '1 microsecond')`;

/** Multi-row VALUES with numbered placeholders; `casts` wraps some placeholders. */
function values<T>(
  rows: readonly T[],
  cols: (row: T) => unknown[],
  casts: Record<number, (p: string) => string>,
) {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const cells = cols(row).map((v, i) => {
      params.push(v);
      const p = `$${params.length}`;
      return casts[i]?.(p) ?? p;
    });
    return `(${cells.join(', ')})`;
  });
  return { sql: tuples.join(',\n'), params };
}

async function insertPlateReads(
  client: pg.PoolClient,
  rows: readonly PlateReadRow[],
): Promise<string[]> {
  const v = values(
    rows,
    (r) => [
      r.source,
      r.plate,
      r.confidence,
      String(r.capturedUs),
      r.frameEntryId,
      r.resultEntryId,
      r.bbox === null ? null : JSON.stringify(r.bbox),
      r.processor,
      JSON.stringify(r.payload),
    ],
    { 3: US_TO_TIMESTAMP, 6: (p) => `${p}::jsonb`, 8: (p) => `${p}::jsonb` },
  );
  const res = await client.query<{ source: string }>(
    `INSERT INTO plate_reads (source, plate, confidence, captured_at, frame_entry_id,
       result_entry_id, bbox, processor, payload)
     VALUES ${v.sql}
     ON CONFLICT (source, result_entry_id) DO NOTHING
     RETURNING source`,
    v.params,
  );
  return res.rows.map((r) => r.source);
}

async function insertResults(client: pg.PoolClient, rows: readonly ResultRow[]): Promise<string[]> {
  const v = values(
    rows,
    (r) => [
      r.source,
      r.frameEntryId,
      r.resultEntryId,
      r.processor,
      String(r.capturedUs),
      JSON.stringify(r.payload),
    ],
    { 4: US_TO_TIMESTAMP, 5: (p) => `${p}::jsonb` },
  );
  const res = await client.query<{ source: string }>(
    `INSERT INTO results (source, frame_entry_id, result_entry_id, processor, captured_at, payload)
     VALUES ${v.sql}
     ON CONFLICT (source, result_entry_id) DO NOTHING
     RETURNING source`,
    v.params,
  );
  return res.rows.map((r) => r.source);
}

/** Keeps each INSERT well under PostgreSQL's 65535 bind parameters. */
const CHUNK_ROWS = 1000;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    out.push(rows.slice(i, i + CHUNK_ROWS));
  }
  return out;
}

/**
 * Writes one batch in one transaction. Idempotent: a row whose (source, result_entry_id) is
 * already stored is skipped, so replaying a batch after a crash adds nothing.
 */
export async function writeBatch(pool: PgPool, rows: readonly SinkRow[]): Promise<WriteReport> {
  if (rows.length === 0) {
    return { inserted: 0, insertedBySource: new Map(), duplicates: 0 };
  }
  const plates = rows.filter((r): r is PlateReadRow => r.table === 'plate_reads');
  const others = rows.filter((r): r is ResultRow => r.table === 'results');
  const sources = await inTransaction(pool, async (client) => {
    const out: string[] = [];
    for (const c of chunks(plates)) {
      out.push(...(await insertPlateReads(client, c)));
    }
    for (const c of chunks(others)) {
      out.push(...(await insertResults(client, c)));
    }
    return out;
  });
  const insertedBySource = new Map<string, number>();
  sources.forEach((s) => insertedBySource.set(s, (insertedBySource.get(s) ?? 0) + 1));
  return { inserted: sources.length, insertedBySource, duplicates: rows.length - sources.length };
}
