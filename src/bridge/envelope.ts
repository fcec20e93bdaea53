/**
 * The wire format every bridge message uses: `{"type", "timestamp", "payload"}` as JSON, with
 * `timestamp` in microseconds since the epoch. `type` is the channel's own name, so a client
 * that PSUBSCRIBEs `framepipe:*` can dispatch on it without parsing the channel.
 */
export const ENVELOPE_TYPES = [
  'core_metrics',
  'edge_metrics',
  'status',
  'frame',
  'recording_state',
] as const;

export type EnvelopeType = (typeof ENVELOPE_TYPES)[number];

export interface Envelope<P = unknown> {
  readonly type: EnvelopeType;
  /** Microseconds since the epoch. */
  readonly timestamp: number;
  readonly payload: P;
}

export function envelope<P>(type: EnvelopeType, timestamp: number, payload: P): Envelope<P> {
  return { type, timestamp, payload };
}

/** `{channelPrefix}:{type}`, e.g. `framepipe:core_metrics`. */
export function channelOf(channelPrefix: string, type: EnvelopeType): string {
  return `${channelPrefix}:${type}`;
}

/** Key-value mode: the latest envelope of a type. */
export function latestKeyOf(channelPrefix: string, type: EnvelopeType): string {
  return `${channelPrefix}:${type}:latest`;
}

export type EncodedEnvelope =
  | { readonly ok: true; readonly text: string; readonly bytes: number }
  | { readonly ok: false; readonly bytes: number };

/** Serialises an envelope; refuses one whose UTF-8 size exceeds maxMessageBytes. */
export function encodeEnvelope(e: Envelope, maxMessageBytes: number): EncodedEnvelope {
  const text = JSON.stringify(e);
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > maxMessageBytes ? { ok: false, bytes } : { ok: true, text, bytes };
}

export function isEnvelopeType(value: unknown): value is EnvelopeType {
  return typeof value === 'string' && (ENVELOPE_TYPES as readonly string[]).includes(value);
}
