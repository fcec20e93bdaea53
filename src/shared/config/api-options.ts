import { z } from 'zod';

/**
 * Options of `framepipe api`. Kept beside the API until the lead folds them into
 * shared/config/schema.ts as `api: ApiOptionsSchema.default(...)` (env FRAMEPIPE_API_*).
 */
export const ApiOptionsSchema = z.strictObject({
  pgUrl: z.string().min(1).describe('PostgreSQL connection string (plate history)'),
  host: z
    .string()
    .default('127.0.0.1')
    .describe('bind address; loopback by default, put a proxy with auth in front to expose it'),
  port: z.number().int().min(0).max(65535).default(8080).describe('HTTP port (0: any free port)'),
  fpsWindowS: z
    .number()
    .int()
    .min(1)
    .max(300)
    .default(10)
    .describe('seconds of results counted for a source fps'),
  maxConnections: z.number().int().min(1).max(100).default(4).describe('PostgreSQL pool size'),
});

export type ApiOptions = z.infer<typeof ApiOptionsSchema>;
export type ApiOptionsInput = z.input<typeof ApiOptionsSchema>;
