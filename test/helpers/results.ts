import type { Redis } from 'ioredis';
import { sourceKeys, sourcesKey } from '../../src/shared/redis/keys.js';
import { encodeResultFields } from '../../src/shared/stream-entries.js';

/** Payload of the `plate` processor (issue 10), or a frame where no plate was read. */
export function platePayload(plate: string | null, confidence = 0.9): unknown {
  return {
    plate,
    confidence,
    bbox: plate === null ? null : { x: 10, y: 20, w: 120, h: 30 },
    candidates: plate === null ? [] : [{ text: plate, confidence }],
  };
}

export interface TestResult {
  readonly processor: string;
  readonly payload: unknown;
  /** Capture time in µs; default 1_700_000_000_000_000 + seq s. */
  readonly captureUs?: number;
}

/** XADDs results to a source's results stream (ids by Redis) and registers the source. */
export async function addResults(
  redis: Redis,
  prefix: string,
  source: string,
  results: readonly TestResult[],
  firstSeq = 0,
): Promise<string[]> {
  const keys = sourceKeys(prefix, source);
  await redis.sadd(sourcesKey(prefix), source);
  const ids: string[] = [];
  for (const [i, r] of results.entries()) {
    const seq = firstSeq + i;
    const captureUs = r.captureUs ?? 1_700_000_000_000_000 + seq * 1_000_000;
    const fields = encodeResultFields({
      source,
      frameId: `${Math.floor(captureUs / 1000)}-${seq}`,
      seq,
      processor: r.processor,
      captureUs,
      doneUs: captureUs + 50_000,
      durationMs: 12.5,
      consumer: 'w1',
      payload: r.payload,
    });
    ids.push((await redis.xadd(keys.results, '*', ...fields))!);
  }
  return ids;
}

/** Fields of an empty `noop` result for `frameId` of cam1: all a settle script needs. */
export function noopResultFields(frameId: string): string[] {
  return encodeResultFields({
    source: 'cam1',
    frameId,
    seq: 0,
    processor: 'noop',
    captureUs: 0,
    doneUs: 0,
    durationMs: 0,
    consumer: 'w',
    payload: {},
  });
}
