import { decodeResultEntry } from '../shared/stream-entries.js';
import { envelope, type Envelope } from './envelope.js';

/**
 * Pure mapping from stream entries to envelopes. Entries arrive as flat Buffer lists (XREAD
 * with binary replies, because DLQ entries carry the original JPEG); `data` is never copied.
 */
export type StreamKind = 'results' | 'metrics' | 'dlq';

export function textFields(fields: readonly Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const key = fields[i]!.toString('utf8');
    if (key !== 'data') {
      out[key] = fields[i + 1]!.toString('utf8');
    }
  }
  return out;
}

export interface CoreMetricsPayload {
  readonly source: string;
  readonly frame: string;
  readonly seq: number;
  readonly processor: string;
  readonly captureUs: number;
  readonly doneUs: number;
  /** Capture to result, in ms. */
  readonly latencyMs: number;
  readonly durationMs: number;
  readonly consumer: string;
  /** The processor's result as it returned it, e.g. `{ plate, confidence, bbox }`. */
  readonly result: unknown;
}

export function resultEnvelope(
  id: string,
  fields: readonly Buffer[],
): Envelope<CoreMetricsPayload> {
  const flat = Object.entries(textFields(fields)).flat();
  const r = decodeResultEntry(id, flat);
  return envelope('core_metrics', r.doneUs, {
    source: r.source,
    frame: r.frameId,
    seq: r.seq,
    processor: r.processor,
    captureUs: r.captureUs,
    doneUs: r.doneUs,
    latencyMs: Math.round((r.doneUs - r.captureUs) / 10) / 100,
    durationMs: r.durationMs,
    consumer: r.consumer,
    result: r.payload,
  });
}

export interface EdgeMetricsPayload {
  readonly source: string;
  /** The metric entry's type, e.g. `producer`. */
  readonly kind: string;
  readonly metrics: unknown;
}

export function metricEnvelope(
  id: string,
  fields: readonly Buffer[],
  fallbackSource: string,
): Envelope<EdgeMetricsPayload> {
  const f = textFields(fields);
  let metrics: unknown = null;
  try {
    metrics = JSON.parse(f.payload ?? 'null');
  } catch {
    throw new Error(`metric ${id}: payload is not valid JSON`);
  }
  const ts = Number(f.ts);
  return envelope('edge_metrics', Number.isSafeInteger(ts) ? ts : idTimeUs(id), {
    source: f.source ?? fallbackSource,
    kind: f.type ?? 'unknown',
    metrics,
  });
}

export interface DeadLetterPayload {
  readonly event: 'dead_letter';
  readonly source: string;
  readonly frame: string | null;
  readonly seq: number | null;
  readonly code: string;
  readonly reason: string;
  readonly deliveries: number | null;
  readonly consumer: string | null;
}

export function deadLetterEnvelope(
  id: string,
  fields: readonly Buffer[],
  fallbackSource: string,
): Envelope<DeadLetterPayload> {
  const f = textFields(fields);
  const num = (v: string | undefined): number | null =>
    v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  return envelope('status', num(f.dlq_ts) ?? idTimeUs(id), {
    event: 'dead_letter',
    source: f.source ?? fallbackSource,
    frame: f.dlq_frame ?? null,
    seq: num(f.seq),
    code: f.dlq_code ?? 'unknown',
    reason: f.dlq_reason ?? '',
    deliveries: num(f.dlq_deliveries),
    consumer: f.dlq_consumer ?? null,
  });
}

/** Microseconds of a stream id's millisecond part. */
export function idTimeUs(id: string): number {
  return Number(id.split('-')[0]) * 1000;
}

export function entryEnvelope(
  kind: StreamKind,
  id: string,
  fields: readonly Buffer[],
  source: string,
): Envelope {
  switch (kind) {
    case 'results':
      return resultEnvelope(id, fields);
    case 'metrics':
      return metricEnvelope(id, fields, source);
    case 'dlq':
      return deadLetterEnvelope(id, fields, source);
  }
}
