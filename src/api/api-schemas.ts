import { z } from 'zod';
import { normalisePlate } from '../sink/sink-rows.js';

/** Request shapes, validated in the handlers and rendered into the OpenAPI document. */
const sourceId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 of A-Z a-z 0-9 _ . -')
  .describe('source id');

export const SourceParams = z.strictObject({ id: sourceId });

export const PlateParams = z.strictObject({
  plate: z
    .string()
    .min(1)
    .max(32)
    .describe('plate text; case, spaces and punctuation are ignored (ab-12 cd = AB12CD)')
    .transform(normalisePlate)
    .refine((p) => p.length > 0, 'must contain a letter or digit'),
});

export const PlateQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('page size'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'not a cursor from a previous page')
    .optional()
    .describe('nextCursor of the previous page'),
  source: sourceId.optional().describe('only sightings at this source'),
});

const U64_MAX = 18_446_744_073_709_551_615n;

export const FrameParams = z.strictObject({
  entryId: z
    .string()
    .regex(/^\d{1,20}-\d{1,20}$/, 'a stream entry id like 1700000000000-0')
    .refine(
      // Runs even when the regex failed: only digits go to BigInt.
      (id) => id.split('-').every((part) => !/^\d+$/.test(part) || BigInt(part) <= U64_MAX),
      'both parts of a stream entry id are at most 18446744073709551615',
    ),
});

/** Routes that take no query parameters refuse any, as every route refuses unknown ones. */
export const NoQuery = z.strictObject({});

export const FrameQuery = z.strictObject({ source: sourceId });

export const SourcesQuery = z.strictObject({
  fpsWindowS: z.coerce
    .number()
    .int()
    .min(1)
    .max(300)
    .optional()
    .describe('seconds of results to count for processed fps (default: the server setting)'),
});
