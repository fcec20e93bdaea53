import { z } from 'zod';
import { PoisonFrameError, ResultUnstorableError, errorMessage } from './errors.js';

/**
 * Entries as they sit in Redis: flat field/value lists with binary JPEG bytes (no base64).
 * Encoders are pure; decoders validate every field with zod and throw PoisonFrameError.
 */
export const ENTRY_SCHEMA_VERSION = 1;

export type FieldValue = string | Buffer;

export interface FrameEntry {
  readonly id: string;
  readonly v: number;
  readonly source: string;
  readonly seq: number;
  /** Capture time in microseconds since the epoch. */
  readonly captureUs: number;
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg';
  readonly data: Buffer;
  /** Free-form JSON from the source (e.g. ground truth of a synthetic plate). */
  readonly meta?: unknown;
}

export type NewFrame = Omit<FrameEntry, 'id' | 'v'>;

export function encodeFrameFields(frame: NewFrame): FieldValue[] {
  const fields: FieldValue[] = [
    'v',
    String(ENTRY_SCHEMA_VERSION),
    'source',
    frame.source,
    'seq',
    String(frame.seq),
    'ts',
    String(frame.captureUs),
    'w',
    String(frame.width),
    'h',
    String(frame.height),
    'fmt',
    frame.format,
    'data',
    frame.data,
  ];
  if (frame.meta !== undefined) {
    fields.push('meta', JSON.stringify(frame.meta));
  }
  return fields;
}

const intString = (name: string, min = 0) =>
  z
    .string({ error: `${name} is missing` })
    .regex(/^\d{1,16}$/, `${name} must be a non-negative integer`)
    .transform(Number)
    .refine((n) => n >= min, `${name} must be >= ${min}`);

const FrameFieldsSchema = z.object({
  v: z.literal(String(ENTRY_SCHEMA_VERSION), {
    error: (issue) =>
      issue.input === undefined
        ? 'v (schema version) is missing'
        : `unsupported schema version v=${JSON.stringify(issue.input)} (this worker reads v=${ENTRY_SCHEMA_VERSION})`,
  }),
  source: z.string({ error: 'source is missing' }).regex(/^[A-Za-z0-9_.-]{1,64}$/, 'bad source'),
  seq: intString('seq'),
  ts: intString('ts'),
  w: intString('w', 1),
  h: intString('h', 1),
  fmt: z.literal('jpeg', { error: 'fmt must be "jpeg"' }),
  meta: z.string().optional(),
});

/** Pairs up a flat `[k1, v1, k2, v2]` reply; later duplicates win. */
export function fieldMap(fields: readonly Buffer[]): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    map.set(fields[i]!.toString('latin1'), fields[i + 1]!);
  }
  return map;
}

export function decodeFrameEntry(
  id: string,
  fields: readonly Buffer[],
  maxFrameBytes = Number.POSITIVE_INFINITY,
): FrameEntry {
  const map = fieldMap(fields);
  const text: Record<string, string> = {};
  for (const [k, v] of map) {
    if (k !== 'data') {
      text[k] = v.toString('utf8');
    }
  }
  const parsed = FrameFieldsSchema.safeParse(text);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => i.message).join('; ');
    throw new PoisonFrameError(`entry ${id}: ${reason}`);
  }
  const data = map.get('data');
  if (data === undefined || data.length === 0) {
    throw new PoisonFrameError(`entry ${id}: data is missing or empty`);
  }
  if (data.length > maxFrameBytes) {
    throw new PoisonFrameError(
      `entry ${id}: data of ${data.length} bytes exceeds ${maxFrameBytes}`,
    );
  }
  // JPEG starts with SOI (FF D8); anything else is not worth a decoder's time.
  if (data[0] !== 0xff || data[1] !== 0xd8) {
    throw new PoisonFrameError(`entry ${id}: data is not a JPEG (no SOI marker)`);
  }
  const f = parsed.data;
  let meta: unknown;
  if (f.meta !== undefined) {
    try {
      meta = JSON.parse(f.meta);
    } catch {
      throw new PoisonFrameError(`entry ${id}: meta is not valid JSON`);
    }
  }
  return {
    id,
    v: ENTRY_SCHEMA_VERSION,
    source: f.source,
    seq: f.seq,
    captureUs: f.ts,
    width: f.w,
    height: f.h,
    format: 'jpeg',
    data,
    ...(meta === undefined ? {} : { meta }),
  };
}

export interface ResultEntry {
  readonly source: string;
  /** Entry id of the frame this result belongs to: the idempotency key downstream. */
  readonly frameId: string;
  readonly seq: number;
  readonly processor: string;
  readonly captureUs: number;
  readonly doneUs: number;
  readonly durationMs: number;
  readonly consumer: string;
  readonly payload: unknown;
}

export function encodeResultFields(result: ResultEntry): string[] {
  return [
    'v',
    String(ENTRY_SCHEMA_VERSION),
    'source',
    result.source,
    'frame',
    result.frameId,
    'seq',
    String(result.seq),
    'processor',
    result.processor,
    'ts',
    String(result.captureUs),
    'done',
    String(result.doneUs),
    'ms',
    result.durationMs.toFixed(3),
    'consumer',
    result.consumer,
    'payload',
    payloadJson(result.payload),
  ];
}

/**
 * Pure: a processor's result as the JSON the results stream stores; a ResultUnstorableError
 * naming why when it has none (a BigInt, a cycle, a function), so the failure says so.
 */
export function payloadJson(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload ?? null);
  } catch (err) {
    throw new ResultUnstorableError(
      `the processor's result cannot be stored as JSON: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  if (json === undefined) {
    throw new ResultUnstorableError(
      `the processor's result cannot be stored as JSON: a ${typeof payload}`,
    );
  }
  return json;
}

const ResultFieldsSchema = z.object({
  source: z.string(),
  frame: z.string().regex(/^\d+-\d+$/),
  seq: intString('seq'),
  processor: z.string(),
  ts: intString('ts'),
  done: intString('done'),
  ms: z.string().transform(Number),
  consumer: z.string(),
  payload: z.string(),
});

export function decodeResultEntry(id: string, fields: readonly (string | Buffer)[]): ResultEntry {
  const obj: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    obj[String(fields[i])] = String(fields[i + 1]);
  }
  const parsed = ResultFieldsSchema.safeParse(obj);
  if (!parsed.success) {
    throw new PoisonFrameError(
      `result ${id}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  }
  const r = parsed.data;
  let payload: unknown;
  try {
    payload = JSON.parse(r.payload);
  } catch {
    throw new PoisonFrameError(`result ${id}: payload is not valid JSON`);
  }
  return {
    source: r.source,
    frameId: r.frame,
    seq: r.seq,
    processor: r.processor,
    captureUs: r.ts,
    doneUs: r.done,
    durationMs: r.ms,
    consumer: r.consumer,
    payload,
  };
}

/** Fields the dead-letter script appends to a copy of the original entry. */
export interface DeadLetterInfo {
  readonly code: string;
  readonly reason: string;
  readonly deliveries: number;
  readonly consumer: string;
  readonly atUs: number;
}

export function encodeDeadLetterFields(info: DeadLetterInfo): string[] {
  return [
    'dlq_code',
    info.code,
    'dlq_reason',
    info.reason.slice(0, 2000),
    'dlq_deliveries',
    String(info.deliveries),
    'dlq_consumer',
    info.consumer,
    'dlq_ts',
    String(info.atUs),
  ];
}

export const DEAD_LETTER_FIELD_PREFIX = 'dlq_';

export interface MetricEntry {
  readonly source: string;
  readonly type: string;
  readonly atUs: number;
  readonly payload: unknown;
}

export function encodeMetricFields(metric: MetricEntry): string[] {
  return [
    'v',
    String(ENTRY_SCHEMA_VERSION),
    'source',
    metric.source,
    'type',
    metric.type,
    'ts',
    String(metric.atUs),
    'payload',
    JSON.stringify(metric.payload ?? null),
  ];
}

export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
