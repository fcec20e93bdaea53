import { z } from 'zod';

/** Options of `framepipe view`; meant to be nested in the main schema as `viewer`. */
export const ViewerOptionsSchema = z.strictObject({
  host: z
    .string()
    .default('127.0.0.1')
    .describe('bind address of the viewer (loopback by default)'),
  port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(8090)
    .describe('HTTP port of the viewer (0: any free port)'),
  token: z
    .string()
    .min(8)
    .optional()
    .describe('bearer token required on every request (header, or ?token= for the page)'),
  allowedHosts: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'without a token, host names the viewer answers besides IP addresses and localhost (DNS rebinding)',
    ),
  channelPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/)
    .optional()
    .describe('pub/sub channel prefix the bridge publishes on (default: redis.prefix)'),
  apiUrl: z
    .string()
    .url()
    .optional()
    .describe('base URL of `framepipe api`; the page searches plate history through it'),
  statsIntervalMs: z
    .number()
    .int()
    .positive()
    .default(1000)
    .describe('how often lag, pending and DLQ counts are sent to open pages'),
});

export type ViewerOptions = z.infer<typeof ViewerOptionsSchema>;
export type ViewerOptionsInput = z.input<typeof ViewerOptionsSchema>;
