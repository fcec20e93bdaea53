import { z } from 'zod';

/**
 * Options of `framepipe bridge`. The main config schema is the lead's file: this schema is
 * meant to be nested there as `bridge: BridgeOptionsSchema.prefault({})`, so every field keeps
 * its default and doc here.
 */
const ms = z.number().int().positive();

export const BridgeOptionsSchema = z.strictObject({
  channelPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'use A-Z a-z 0-9 _ . : -')
    .optional()
    .describe('prefix of the pub/sub channels and key-value keys (default: redis.prefix)'),
  mode: z
    .enum(['pubsub', 'kv', 'both'])
    .default('pubsub')
    .describe('pubsub: PUBLISH envelopes; kv: SET the latest envelope per type with a TTL'),
  kvTtlMs: ms.default(60_000).describe('key-value mode: TTL of {channelPrefix}:{type}:latest'),
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024)
    .describe('envelopes larger than this are refused and counted, never sent'),
  sources: z
    .array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/))
    .default([])
    .describe('sources to mirror (empty: every source in {prefix}:sources, refreshed)'),
  sourcesRefreshMs: ms.default(2000).describe('how often to look for new sources'),
  blockMs: ms.default(1000).describe('XREAD BLOCK; bounds how fast shutdown notices'),
  readCount: z.number().int().min(1).max(10_000).default(256).describe('XREAD COUNT per stream'),
  resume: z
    .boolean()
    .default(true)
    .describe('resume from the positions stored in {prefix}:bridge:positions (else start now)'),
  statusIntervalMs: ms
    .default(1000)
    .describe('how often consumers, backpressure and recording state are checked'),
  workerStaleMs: ms
    .default(15_000)
    .describe('a consumer idle longer than this is reported as left'),
  backpressureBufferedFrames: z
    .number()
    .int()
    .min(1)
    .default(32)
    .describe('a producer with this many frames buffered (or new drops) is under backpressure'),
  frames: z.boolean().default(false).describe('publish sampled frames on {channelPrefix}:frame'),
  frameFps: z
    .number()
    .positive()
    .max(60)
    .default(2)
    .describe('frames published per second and source, at most'),
  frameWidth: z
    .number()
    .int()
    .min(16)
    .max(8192)
    .default(320)
    .describe('published frames are downscaled to this width (never upscaled)'),
  frameQuality: z.number().int().min(1).max(100).default(70).describe('JPEG quality of frames'),
  commands: z
    .boolean()
    .default(true)
    .describe('consume {prefix}:command_queue in this process (recording on/off)'),
  commandConsumer: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/)
    .optional()
    .describe(
      'names the command processing list (default bridge-<hostname>); keep it stable across restarts, e.g. a StatefulSet pod name',
    ),
});

export type BridgeOptions = z.infer<typeof BridgeOptionsSchema>;
export type BridgeOptionsInput = z.input<typeof BridgeOptionsSchema>;

export function bridgeOptions(input: BridgeOptionsInput = {}): BridgeOptions {
  return BridgeOptionsSchema.parse(input);
}
