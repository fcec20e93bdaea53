import type { WorkerConfig } from '../shared/config/schema.js';
import { FramepipeError, PoisonFrameError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { RedisClient } from '../shared/redis/create-redis.js';
import type { SourceKeys } from '../shared/redis/keys.js';
import { decodeFrameEntry, encodeResultFields, type FrameEntry } from '../shared/stream-entries.js';
import { deadLetterArgs, droppedPendingArgs, resultArgs } from './dead-letter.js';
import { failureAction, maxDeliveriesReason, redeliveryAction } from './delivery-policy.js';
import type { InFlight } from './in-flight.js';
import type { FrameInput } from './processors/processor.js';
import type { Processed } from './frame-pool.js';
import { withProcessDeadline } from './process-deadline.js';
import type { SettleBatcher } from './settle-batcher.js';
import type { WorkerStats } from './worker-stats.js';

export interface Delivery {
  readonly source: string;
  readonly keys: SourceKeys;
  readonly id: string;
  /** null: the entry was trimmed while pending. */
  readonly fields: Buffer[] | null;
  /** Delivery count including this one, when known (history reads and claims). */
  readonly deliveries?: number;
}

export interface FrameHandlerDeps {
  readonly redis: RedisClient;
  readonly batcher: SettleBatcher;
  readonly inFlight: InFlight;
  readonly processorName: string;
  /**
   * Runs the processor (in-line or on the pool); processMs is its own time on the frame. It
   * calls startClock when the processor gets the frame; the signal aborts
   * worker.processTimeoutMs after that.
   */
  readonly run: (
    frame: FrameInput,
    signal: AbortSignal,
    startClock: () => void,
  ) => Promise<Processed>;
  readonly config: Readonly<WorkerConfig>;
  readonly consumer: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly stats: WorkerStats;
  /** Wall clock in ms. */
  readonly now: () => number;
}

/** Decode -> process -> settle for one entry; every outcome ends settled or recorded for retry. */
export class FrameHandler {
  readonly #d: FrameHandlerDeps;
  readonly #log: Logger;

  constructor(deps: FrameHandlerDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ module: 'frame-handler', consumer: deps.consumer });
  }

  /** Takes ownership and starts handling; false if the entry is already in flight here. */
  dispatch(delivery: Delivery): boolean {
    if (!this.#d.inFlight.add(delivery.keys.frames, delivery.id)) {
      return false;
    }
    this.#gauge();
    void this.#handle(delivery).finally(() => {
      this.#d.inFlight.delete(delivery.keys.frames, delivery.id);
      this.#gauge();
    });
    return true;
  }

  /**
   * Logs and meters entries trimmed while pending that a script already took off the PEL and
   * counted as dropped (the claim and heartbeat scripts).
   */
  reportGone(source: string, keys: SourceKeys, ids: readonly string[]): void {
    if (ids.length > 0) {
      this.#dropped(source, keys, ids.length, ids);
    }
  }

  async #handle(d: Delivery): Promise<void> {
    const log = this.#log.child({ source: d.source, stream: d.keys.frames, entryId: d.id });
    try {
      if (d.fields === null) {
        if (await this.#d.batcher.settle(droppedPendingArgs(this.#target(d)))) {
          this.#dropped(d.source, d.keys, 1, [d.id]);
        }
        return;
      }
      const max = this.#d.config.maxDeliveries;
      if (d.deliveries !== undefined && redeliveryAction(d.deliveries, max) === 'dead-letter') {
        const last = await this.#d.redis.hget(d.keys.errors, d.id);
        const reason = maxDeliveriesReason(d.deliveries, last);
        await this.#deadLetter(d, 'FRAMEPIPE_ERR_MAX_DELIVERIES', reason, log);
        return;
      }
      let frame: FrameEntry;
      try {
        frame = decodeFrameEntry(d.id, d.fields, this.#d.config.maxFrameBytes);
        // The stream names the camera: a frame claiming another would file its result (and a
        // thumbnail) under the wrong one.
        if (frame.source !== d.source) {
          throw new PoisonFrameError(
            `entry ${d.id}: source "${frame.source}" is not its stream's source "${d.source}"`,
          );
        }
      } catch (err) {
        await this.#fail(d, err, log);
        return;
      }
      await this.#process(d, frame, log);
    } catch (err) {
      // Redis trouble while settling: the entry stays pending and is reclaimed later.
      log.error({ err }, 'could not settle entry; it stays pending');
    }
  }

  async #process(d: Delivery, frame: FrameEntry, log: Logger): Promise<void> {
    let processed: Processed;
    try {
      const input = toFrameInput(frame);
      processed = await withProcessDeadline(
        (signal, startClock) => this.#d.run(input, signal, startClock),
        this.#d.config.processTimeoutMs,
      );
    } catch (err) {
      await this.#fail(d, err, log);
      return;
    }
    const { value, processMs: durationMs } = processed;
    const doneUs = Math.round(this.#d.now() * 1000);
    this.#d.metrics.processDuration.observe(
      { processor: this.#d.processorName },
      durationMs / 1000,
    );
    let fields: string[];
    try {
      fields = encodeResultFields({
        source: frame.source,
        frameId: d.id,
        seq: frame.seq,
        processor: this.#d.processorName,
        captureUs: frame.captureUs,
        doneUs,
        durationMs,
        consumer: this.#d.consumer,
        payload: value,
      });
    } catch (err) {
      // A result that is not JSON (a BigInt, a cycle) fails the frame with that reason.
      await this.#fail(d, err, log);
      return;
    }
    const acked = await this.#d.batcher.settle(
      resultArgs(this.#target(d), fields, this.#d.config.resultsMaxLen),
    );
    if (!acked) {
      this.#d.stats.duplicates++;
      log.debug('entry was already settled by a peer; result not added twice');
      return;
    }
    this.#d.stats.processed++;
    this.#d.metrics.framesProcessed.inc({ source: d.source, processor: this.#d.processorName });
    const latencyS = Math.max(0, (doneUs - frame.captureUs) / 1e6);
    this.#d.metrics.endToEndLatency.observe({ source: d.source }, latencyS);
    log.debug({ durationMs }, 'frame processed');
  }

  async #fail(d: Delivery, err: unknown, log: Logger): Promise<void> {
    const action = failureAction(err);
    const code = err instanceof FramepipeError ? err.code : 'error';
    this.#d.stats.failed++;
    this.#d.metrics.framesFailed.inc({
      source: d.source,
      processor: this.#d.processorName,
      reason: code,
    });
    if (action.kind === 'dead-letter') {
      await this.#deadLetter(d, action.code, action.reason, log);
      return;
    }
    // Left pending on purpose: the reclaimer redelivers it after claimIdleMs.
    await this.#d.redis.hset(d.keys.errors, d.id, action.reason);
    log.warn({ err, code, deliveries: d.deliveries }, 'frame failed; it will be retried');
  }

  async #deadLetter(d: Delivery, code: string, reason: string, log: Logger): Promise<void> {
    const info = {
      code,
      reason,
      deliveries: d.deliveries ?? 1,
      consumer: this.#d.consumer,
      atUs: Math.round(this.#d.now() * 1000),
    };
    const args = deadLetterArgs(this.#target(d), info, this.#d.config.dlqMaxLen);
    if (await this.#d.batcher.settle(args)) {
      this.#d.stats.deadLettered++;
      this.#d.metrics.framesDeadLettered.inc({ source: d.source, reason: code });
      log.warn({ code, reason }, 'frame dead-lettered');
    }
  }

  #dropped(source: string, keys: SourceKeys, n: number, ids: readonly string[]): void {
    this.#d.stats.dropped += n;
    this.#d.metrics.framesDropped.inc({ source, reason: 'trimmed_pending' }, n);
    this.#log.warn(
      { source, stream: keys.frames, entryIds: ids },
      'pending entries were trimmed; acked as dropped',
    );
  }

  #target(d: Delivery) {
    return { keys: d.keys, group: this.#d.config.group, id: d.id };
  }

  #gauge(): void {
    this.#d.stats.inFlight = this.#d.inFlight.size;
    this.#d.metrics.inFlight.set(this.#d.inFlight.size);
  }
}

export function toFrameInput(f: FrameEntry): FrameInput {
  return {
    id: f.id,
    source: f.source,
    seq: f.seq,
    captureUs: f.captureUs,
    width: f.width,
    height: f.height,
    data: f.data,
    ...(f.meta === undefined ? {} : { meta: f.meta }),
  };
}
