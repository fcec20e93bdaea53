import { errorMessage, isPermanentFrameError } from '../shared/errors.js';

/** What to do with an entry whose processing failed. */
export type FailureAction =
  | { readonly kind: 'dead-letter'; readonly code: string; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string };

/** Permanent errors (poison, too large) go to the DLQ at once; anything else is retried. */
export function failureAction(err: unknown): FailureAction {
  const reason = errorMessage(err);
  if (isPermanentFrameError(err)) {
    const code = (err as { code?: unknown }).code;
    return {
      kind: 'dead-letter',
      code: typeof code === 'string' ? code : 'FRAMEPIPE_ERR_POISON_FRAME',
      reason,
    };
  }
  return { kind: 'retry', reason };
}

/**
 * Before (re)processing: `deliveries` counts this delivery too. Past maxDeliveries the entry
 * has had its chances and goes to the DLQ with the last error.
 */
export function redeliveryAction(
  deliveries: number,
  maxDeliveries: number,
): 'process' | 'dead-letter' {
  return deliveries > maxDeliveries ? 'dead-letter' : 'process';
}

/**
 * `deliveries` is Redis's delivery count, the one the dead letter records as dlq_deliveries:
 * the reason quotes the same number so the two never disagree.
 */
export function maxDeliveriesReason(deliveries: number, lastError: string | null): string {
  const last = lastError ?? 'no error recorded (the consumer died while processing)';
  // Every delivery before this one was an attempt (worker.maxDeliveries of them); this one,
  // which dead-letters it, is the count Redis and the dead letter (dlq_deliveries) record.
  const attempts = Math.max(0, deliveries - 1);
  return `gave up at delivery ${deliveries}, after ${attempts} attempt${attempts === 1 ? '' : 's'}; last error: ${last}`;
}

/**
 * XREADGROUP's COUNT applies per stream: with `streams` streams and `free` slots, ask each
 * for its share so a read cannot overshoot maxInFlight by more than streams - 1.
 */
export function readCountFor(free: number, streams: number, readCount: number): number {
  if (free <= 0) {
    return 0;
  }
  return Math.max(1, Math.min(readCount, Math.floor(free / Math.max(1, streams))));
}
