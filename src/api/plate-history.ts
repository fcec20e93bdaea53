import type { PgPool } from '../db/create-pg.js';
import { ApiError } from './api-error.js';

export interface PlateSighting {
  readonly source: string;
  readonly plate: string;
  readonly confidence: number;
  readonly capturedAt: string;
  readonly capturedUs: number;
  readonly frameEntryId: string;
  readonly resultEntryId: string;
  readonly bbox: unknown;
  /** Where the JPEG can be fetched while it is still in the frames stream. */
  readonly frameUrl: string;
}

export interface PlateHistoryPage {
  readonly plate: string;
  readonly items: PlateSighting[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

interface Cursor {
  readonly us: string;
  readonly id: string;
}

/** Pure: keyset cursor (captured_at, id) as opaque base64url. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.us}:${c.id}`).toString('base64url');
}

/** Microseconds at 9999-12-31 (PostgreSQL's timestamps go further; cursors never do). */
const MAX_CURSOR_US = 253_402_300_799_999_999n;
/** PostgreSQL bigint. */
const MAX_CURSOR_ID = 9_223_372_036_854_775_807n;

export function decodeCursor(text: string): Cursor {
  const m = /^(\d{1,19}):(\d{1,19})$/.exec(Buffer.from(text, 'base64url').toString());
  // Digits in range too: a forged cursor past them was a PostgreSQL error, answered as a 500.
  if (m === null || BigInt(m[1]!) > MAX_CURSOR_US || BigInt(m[2]!) > MAX_CURSOR_ID) {
    throw new ApiError(
      400,
      'FRAMEPIPE_ERR_BAD_REQUEST',
      'query.cursor: not a cursor from a previous page',
    );
  }
  return { us: m[1]!, id: m[2]! };
}

interface Row {
  id: string;
  us: string;
  source: string;
  plate: string;
  confidence: number;
  captured_at: Date;
  frame_entry_id: string;
  result_entry_id: string;
  bbox: unknown;
}

/** Newest first, on the (plate, captured_at DESC, id DESC) index. */
export async function readPlateHistory(
  pg: PgPool,
  q: { plate: string; limit: number; cursor?: string | undefined; source?: string | undefined },
): Promise<PlateHistoryPage> {
  const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
  const res = await pg.query<Row>(
    `SELECT id::text, (extract(epoch FROM captured_at) * 1000000)::bigint::text AS us, source, plate,
            confidence, captured_at, frame_entry_id, result_entry_id, bbox
       FROM plate_reads
      WHERE plate = $1
        AND ($2::text IS NULL OR source = $2)
        AND ($3::bigint IS NULL OR (captured_at, id) <
             (TIMESTAMPTZ 'epoch' + $3::bigint * INTERVAL '1 microsecond', $4::bigint))
      ORDER BY captured_at DESC, id DESC
      LIMIT $5`,
    [q.plate, q.source ?? null, after?.us ?? null, after?.id ?? null, q.limit + 1],
  );
  const rows = res.rows.slice(0, q.limit);
  const last = rows.at(-1);
  return {
    plate: q.plate,
    items: rows.map((r) => ({
      source: r.source,
      plate: r.plate,
      confidence: r.confidence,
      capturedAt: r.captured_at.toISOString(),
      capturedUs: Number(r.us),
      frameEntryId: r.frame_entry_id,
      resultEntryId: r.result_entry_id,
      bbox: r.bbox,
      frameUrl: `/frames/${r.frame_entry_id}?source=${encodeURIComponent(r.source)}`,
    })),
    nextCursor:
      res.rows.length > q.limit && last !== undefined
        ? encodeCursor({ us: last.us, id: last.id })
        : null,
  };
}
