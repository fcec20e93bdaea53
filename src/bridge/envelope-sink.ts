import type { Logger } from '../shared/logger.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import type { BridgeMetrics } from './bridge-metrics.js';
import { channelOf, encodeEnvelope, latestKeyOf, type Envelope } from './envelope.js';

export interface EnvelopeSinkOptions {
  /** A normal (non-subscriber, non-blocking) connection. */
  readonly redis: RedisClient;
  readonly channelPrefix: string;
  readonly mode: 'pubsub' | 'kv' | 'both';
  readonly kvTtlMs: number;
  readonly maxMessageBytes: number;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
}

export interface SendReport {
  readonly sent: number;
  readonly refused: number;
}

/**
 * Sends envelopes in one pipeline: PUBLISH on `{channelPrefix}:{type}` and/or SET
 * `{channelPrefix}:{type}:latest` PX kvTtlMs. Oversized envelopes are refused before Redis.
 */
export class EnvelopeSink {
  readonly #o: EnvelopeSinkOptions;
  readonly #log: Logger;

  constructor(options: EnvelopeSinkOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'envelope-sink' });
  }

  async send(envelopes: readonly Envelope[]): Promise<SendReport> {
    const { redis, channelPrefix, mode, kvTtlMs, maxMessageBytes, metrics } = this.#o;
    if (envelopes.length === 0) {
      return { sent: 0, refused: 0 };
    }
    const pipeline = redis.pipeline();
    let sent = 0;
    let refused = 0;
    const types: Envelope['type'][] = [];
    for (const e of envelopes) {
      const encoded = encodeEnvelope(e, maxMessageBytes);
      if (!encoded.ok) {
        refused++;
        metrics.refused.inc({ type: e.type });
        this.#log.warn(
          { type: e.type, bytes: encoded.bytes, maxMessageBytes },
          'envelope refused: larger than maxMessageBytes',
        );
        continue;
      }
      if (mode !== 'kv') {
        pipeline.publish(channelOf(channelPrefix, e.type), encoded.text);
      }
      if (mode !== 'pubsub') {
        pipeline.set(latestKeyOf(channelPrefix, e.type), encoded.text, 'PX', kvTtlMs);
      }
      types.push(e.type);
      sent++;
    }
    if (sent > 0) {
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([err]) => err !== null);
      if (failed !== undefined) {
        throw failed[0] ?? new Error('pipeline failed');
      }
      for (const type of types) {
        metrics.published.inc({ type });
      }
    }
    return { sent, refused };
  }
}
