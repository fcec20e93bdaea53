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
  readonly logger: Logger;
  /** Aborted: stop waiting for backpressure and flush the buffer. */
  readonly stop: AbortSignal;
  /** Aborted: give up on what is still buffered (flush deadline passed, lease lost). */
  readonly hard: AbortSignal;
  readonly onBatch: (batch: readonly PendingFrame[], report: BatchReport) => void;
  /** Frames given up on: still buffered, or unconfirmed when `hard` aborted. */
  readonly onGivenUp: (frames: number) => void;
}

/**
 * Buffer -> (block: wait for room under maxBacklog) -> pipelined batch -> confirmation.
 * Ends when the buffer ended and is empty, or `hard` aborts.
 */
export async function publishBuffered(o: PublishLoopOptions): Promise<void> {
  const { buffer, stop, hard } = o;
  let errors = 0;
  while (!hard.aborted) {
    await buffer.waitForFrames(stop.aborted ? hard : stop);
    if (buffer.size === 0) {
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
    const batch = buffer.take(batchAllowance(o.policy, credit, o.batchSize, buffer.size));
    const report = await o.publisher.publish(batch, hard);
    o.waiter.consume(batch.length - report.unconfirmed.length);
    o.onBatch(batch, report);
    buffer.settle();
    o.onGivenUp(report.unconfirmed.length);
  }
  o.onGivenUp(buffer.drain().length);
}
