import type { Logger } from '../shared/logger.js';
import { reconnectDelayMs } from '../shared/redis/create-redis.js';
import { sleep } from '../shared/shutdown.js';
import { batchAllowance, type BacklogWaiter, type Policy } from './backpressure.js';
import type { FrameBuffer, PendingFrame } from './frame-buffer.js';
import type { BatchReport, FramePublisher } from './frame-publisher.js';

export interface PublishLoopOptions {
  readonly buffer: FrameBuffer;
  readonly publisher: FramePublisher;
  readonly waiter: BacklogWaiter;
  readonly policy: Policy;
  readonly batchSize: number;
  /** Batches written at once: later ones go out while Redis answers the first (>= 1). */
  readonly batchesInFlight: number;
  readonly logger: Logger;
  /** Aborted: stop waiting for backpressure and flush the buffer. */
  readonly stop: AbortSignal;
  /** Aborted: give up on what is still buffered (flush deadline passed, lease lost). */
  readonly hard: AbortSignal;
  readonly onBatch: (batch: readonly PendingFrame[], report: BatchReport) => void;
  /**
   * Frames given up on when `hard` aborted: 'unconfirmed' were written but Redis did not answer
   * (they may be stored), 'buffered' never left the buffer.
   */
  readonly onGivenUp: (frames: number, stage: 'unconfirmed' | 'buffered') => void;
  /** Before each batch: false when this producer may no longer write (its lease went to another). */
  readonly mayWrite?: () => Promise<boolean>;
}

/**
 * Buffer -> (block: wait for room under maxBacklog) -> pipelined batches -> confirmation.
 * Up to `batchesInFlight` batches are written at once on the one connection, so the client
 * builds the next batch while Redis stores the last; their confirmations are handled in the
 * order they were written. Ends when the buffer ended and is empty, or `hard` aborts.
 */
export async function publishBuffered(o: PublishLoopOptions): Promise<void> {
  const { buffer, stop, hard } = o;
  const inFlight: { readonly batch: PendingFrame[]; readonly report: Promise<BatchReport> }[] = [];
  const confirmOldest = async (): Promise<void> => {
    const { batch, report } = inFlight.shift()!;
    const r = await report;
    o.onBatch(batch, r);
    buffer.settle(batch.length);
    o.onGivenUp(r.unconfirmed.length, 'unconfirmed');
  };
  let errors = 0;
  while (!hard.aborted) {
    // Batches not yet stored are not in the backlog Redis reports: ask for room only when
    // none is in flight, so the backlog never passes maxBacklog (but at a stop, whose flush
    // writes what is held rather than lose it: docs/reliability.md).
    const mustAskForRoom = o.policy === 'block' && o.waiter.credit === 0;
    if (
      inFlight.length >= Math.max(1, o.batchesInFlight) ||
      (inFlight.length > 0 && (buffer.untaken === 0 || mustAskForRoom))
    ) {
      await confirmOldest();
      continue;
    }
    await buffer.waitForFrames(stop.aborted ? hard : stop);
    if (buffer.untaken === 0) {
      if (buffer.ended || hard.aborted) {
        break;
      }
      continue;
    }
    let credit = Number.POSITIVE_INFINITY;
    if (o.policy === 'block' && !stop.aborted) {
      try {
        credit = await o.waiter.waitForCredit(stop);
        errors = 0;
      } catch (err) {
        o.logger.warn({ err }, 'cannot read the backlog, retrying');
        await sleep(reconnectDelayMs(++errors), stop);
        continue;
      }
      if (credit === 0) {
        continue; // aborted while waiting: the next round flushes without waiting
      }
    }
    if (o.mayWrite !== undefined && !(await o.mayWrite())) {
      // For good (the lease is lost): what is buffered is given up. Not `continue`: until
      // onLost aborts `hard` (after a Redis round trip) that loop would spin on resolved
      // promises alone, and the round trip's reply would never be read.
      break;
    }
    const batch = buffer.take(batchAllowance(o.policy, credit, o.batchSize, buffer.untaken));
    // Room is used when the batch is taken, so batches in flight never share the same room.
    o.waiter.consume(batch.length);
    inFlight.push({ batch, report: o.publisher.publish(batch, hard) });
  }
  while (inFlight.length > 0) {
    await confirmOldest();
  }
  o.onGivenUp(buffer.drain().length, 'buffered');
}
