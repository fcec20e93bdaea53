import { z } from 'zod';
import type { ResultEntry } from '../shared/stream-entries.js';

/**
 * Pure mapping from a result stream entry to the one row it becomes. Every result lands in
 * exactly one table: a plate reading with text in `plate_reads`, anything else (other
 * processors, frames where no plate was read) in `results`.
 */
export interface PlateReadRow {
  readonly table: 'plate_reads';
  readonly source: string;
  readonly plate: string;
  readonly confidence: number;
  readonly capturedUs: number;
  readonly frameEntryId: string;
  readonly resultEntryId: string;
  readonly bbox: Bbox | null;
  readonly processor: string;
  readonly payload: unknown;
}

export interface ResultRow {
  readonly table: 'results';
  readonly source: string;
  readonly frameEntryId: string;
  readonly resultEntryId: string;
  readonly processor: string;
  readonly capturedUs: number;
  readonly payload: unknown;
}

export type SinkRow = PlateReadRow | ResultRow;

const BboxSchema = z.object({
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
});
export type Bbox = z.infer<typeof BboxSchema>;

/** The fields of a `plate` processor payload the sink needs; the rest is kept in `payload`. */
const PlatePayloadSchema = z.looseObject({
  plate: z.string().nullable(),
  confidence: z.number().min(0).max(1).optional(),
  bbox: BboxSchema.nullable().optional(),
});

export const PLATE_PROCESSOR = 'plate';

/** Upper case, letters and digits only: `abc-1234`, `ABC 1234` and `ABC1234` are one plate. */
export function normalisePlate(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

export function toSinkRow(source: string, resultEntryId: string, r: ResultEntry): SinkRow {
  const base = {
    source,
    frameEntryId: r.frameId,
    resultEntryId,
    processor: r.processor,
    capturedUs: r.captureUs,
    payload: r.payload,
  };
  if (r.processor === PLATE_PROCESSOR) {
    const p = PlatePayloadSchema.safeParse(r.payload);
    const plate = p.success && p.data.plate !== null ? normalisePlate(p.data.plate) : '';
    if (p.success && plate !== '') {
      return {
        table: 'plate_reads',
        ...base,
        plate,
        confidence: p.data.confidence ?? 0,
        bbox: p.data.bbox ?? null,
      };
    }
  }
  return { table: 'results', ...base };
}
