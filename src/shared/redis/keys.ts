import { ConfigError } from '../errors.js';

/**
 * Every Redis key framepipe touches. A source's keys share the `{source}` hash tag so they
 * live in one Redis Cluster slot, which lets one Lua script ack a frame and add its result.
 */
export interface SourceKeys {
  readonly frames: string;
  readonly results: string;
  readonly dlq: string;
  readonly metrics: string;
  /** Durable counters (produced, processed, dropped, ...) kept by the Lua scripts. */
  readonly stats: string;
  /** Last processing error per pending entry id, for the dead-letter reason. */
  readonly errors: string;
  /** Explicit ids a frame was re-added under after an id conflict (see publishFrame). */
  readonly reids: string;
  /** One producer per source: SET NX PX lease. */
  readonly producerLease: string;
  /** Where the frames stream stood at past trims, for the producer's next trim (publish-batch.ts). */
  readonly trimMarks: string;
}

export const SOURCE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function assertSourceId(source: string): void {
  if (!SOURCE_ID_PATTERN.test(source)) {
    throw new ConfigError(
      `invalid source id "${source}": use 1-64 of A-Z a-z 0-9 _ . - (no braces or colons)`,
      [{ path: 'source', value: source, message: 'must match ' + String(SOURCE_ID_PATTERN) }],
    );
  }
}

export function sourceKeys(prefix: string, source: string): SourceKeys {
  assertSourceId(source);
  const base = `${prefix}:{${source}}`;
  return {
    frames: `${base}:frames`,
    results: `${base}:results`,
    dlq: `${base}:dlq`,
    metrics: `${base}:metrics`,
    stats: `${base}:stats`,
    errors: `${base}:errors`,
    reids: `${base}:reids`,
    producerLease: `${base}:producer-lease`,
    trimMarks: `${base}:trim-marks`,
  };
}

/** Set of known source ids, so workers and `status` can discover streams without SCAN. */
export function sourcesKey(prefix: string): string {
  return `${prefix}:sources`;
}

/** Parses `prefix:{source}:frames` back to its source id, or undefined. */
export function sourceOfKey(prefix: string, key: string): string | undefined {
  const head = `${prefix}:{`;
  if (!key.startsWith(head)) {
    return undefined;
  }
  const end = key.indexOf('}', head.length);
  return end > head.length ? key.slice(head.length, end) : undefined;
}
