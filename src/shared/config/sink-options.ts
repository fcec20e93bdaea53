import { z } from 'zod';
import { ConfigError } from '../errors.js';

const ms = z.number().int().positive();

/**
 * Options of `framepipe sink`. Kept beside the sink until the lead folds them into
 * shared/config/schema.ts as `sink: SinkOptionsSchema.default(...)` (env FRAMEPIPE_SINK_*).
 */
export const SinkOptionsSchema = z.strictObject({
  pgUrl: z
    .string()
    .min(1)
    .describe('PostgreSQL connection string, e.g. postgres://user:pass@host:5432/framepipe'),
  group: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('sink')
    .describe('consumer group on the results streams'),
  consumer: z
    .string()
    .optional()
    .describe(
      'consumer name (default hostname-pid); a stable name resumes its own pending entries',
    ),
  sources: z
    .array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/))
    .default([])
    .describe('sources to sink (empty: every known source, re-read every refreshMs)'),
  batchSize: z
    .number()
    .int()
    .min(1)
    .max(5000)
    .default(200)
    .describe('XREADGROUP COUNT = rows per transaction'),
  blockMs: ms.default(1000).describe('XREADGROUP BLOCK; bounds how fast shutdown notices'),
  claimIdleMs: ms
    .default(30000)
    .describe('XAUTOCLAIM results pending longer than this from dead sinks'),
  claimIntervalMs: ms.default(5000).describe('how often to look for abandoned results'),
  refreshMs: ms.default(5000).describe('how often to re-read the set of sources'),
  maxConnections: z.number().int().min(1).max(100).default(4).describe('PostgreSQL pool size'),
  migrate: z.boolean().default(false).describe('apply pending schema migrations at start-up'),
});

export type SinkOptions = z.infer<typeof SinkOptionsSchema>;
export type SinkOptionsInput = z.input<typeof SinkOptionsSchema>;

/** Parses a section's options; a bad value is a ConfigError naming `section.field` (exit 2). */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  section: string,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    return parsed.data;
  }
  const issues = parsed.error.issues.map((i) => {
    const path = [section, ...i.path.map(String)].join('.');
    let value: unknown = input;
    for (const key of i.path) {
      value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
    }
    return { path, value, message: i.message };
  });
  throw new ConfigError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}
