import type { RedisClient } from '../shared/redis/create-redis.js';
import { reconnectDelayMs } from '../shared/redis/create-redis.js';
import { publishBatch, type BatchReply, type TrimRequest } from '../shared/redis/publish-batch.js';
import { publishFrame, trimSlack } from '../shared/redis/scripts.js';
import { isOomError, trimAcked } from '../shared/redis/trim-acked.js';
import type { SourceKeys } from '../shared/redis/keys.js';
import { encodeFrameFields, type FieldValue } from '../shared/stream-entries.js';
import type { Logger } from '../shared/logger.js';
import { beforeAbort, sleep } from '../shared/shutdown.js';
import type { Policy } from './backpressure.js';
import { formatEntryId } from '../shared/entry-id.js';
import type { PendingFrame } from './frame-buffer.js';
import { TrimSchedule } from './trim-schedule.js';

export type PublishOutcome = 'added' | 'duplicate' | Error;

/** Reads one publishFrame reply: 1 added, 0 refused as a duplicate id (already stored). */
export function publishOutcome(err: Error | null, reply: unknown): PublishOutcome {
  if (err !== null) {
    return err;
  }
  if (reply === 1 || reply === '1') {
    return 'added';
  }
  if (reply === 0 || reply === '0') {
    return 'duplicate';
  }
  return new Error(`unexpected publishFrame reply ${JSON.stringify(reply)}`);
}

export interface FramePublisherOptions {
  readonly redis: RedisClient;
  readonly keys: SourceKeys;
  readonly source: string;
  readonly group: string;
  readonly policy: Policy;
  readonly maxLen: number;
  readonly logger: Logger;
  readonly random?: () => number;
  /** Called once per batch attempt that Redis refused for lack of memory (OOM). */
  readonly onOom?: () => void;
  /**
   * Before a retry: false when this producer may no longer write (its lease went to another
   * while Redis was out of reach); the frames are then reported unconfirmed.
   */
  readonly mayWrite?: (signal: AbortSignal) => Promise<boolean>;
}

export interface BatchReport {
  readonly added: number;
  readonly duplicates: number;
  /** Frames not confirmed because the signal aborted while Redis failed. */
  readonly unconfirmed: readonly PendingFrame[];
  readonly retries: number;
}

/**
 * Writes batches of frames as XADDs with explicit ids, a batch at once (publishBatch).
 * A failed frame is retried with the same id after a jittered backoff, so a write that did
 * land before the failure is refused as a duplicate instead of being stored twice.
 */
export class FramePublisher {
  readonly #o: FramePublisherOptions;
  readonly #log: Logger;
  readonly #trims: TrimSchedule;
  /** What the TRIM script needs when a trim is due: the same for every batch. */
  readonly #trimRequest: TrimRequest;

  constructor(options: FramePublisherOptions) {
    this.#o = options;
    const slack = trimSlack(options.maxLen);
    this.#trims = new TrimSchedule(slack);
    this.#trimRequest = { maxLen: options.maxLen, slack, marksKey: options.keys.trimMarks };
    this.#log = options.logger.child({ module: 'frame-publisher' });
  }

  /**
   * One attempt: an outcome per frame, in order. The batch goes out at once as plain XADDs
   * (publishBatch); a frame refused as "equal or smaller" takes the publishFrame script,
   * which tells a replay (duplicate) from an id another writer overtook (stored anew).
   */
  async publishOnce(frames: readonly PendingFrame[]): Promise<PublishOutcome[]> {
    const trim = this.#trims.due() ? this.#trimRequest : undefined;
    let reply: BatchReply;
    try {
      reply = await publishBatch(this.#o.redis, {
        framesKey: this.#o.keys.frames,
        statsKey: this.#o.keys.stats,
        policy: this.#o.policy,
        trim,
        entries: frames.map((f) => ({ id: formatEntryId(f.id), fields: this.#fields(f) })),
      });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return frames.map(() => e);
    }
    if (reply.trimError !== undefined) {
      this.#log.warn({ err: reply.trimError }, 'trimming the frames stream failed; retried later');
    } else if (trim !== undefined) {
      this.#trims.trimmed();
    }
    this.#trims.added(reply.outcomes.filter((outcome) => outcome === 'added').length);
    const conflicts = frames.filter((_, i) => reply.outcomes[i] === 'conflict');
    const resolved = await this.#resolveConflicts(conflicts);
    return reply.outcomes.map((o) => (o === 'conflict' ? resolved.shift()! : o));
  }

  /** One pipeline of publishFrame calls for the frames refused as "equal or smaller". */
  async #resolveConflicts(frames: readonly PendingFrame[]): Promise<PublishOutcome[]> {
    if (frames.length === 0) {
      return [];
    }
    const pipeline = this.#o.redis.pipeline();
    for (const f of frames) {
      void publishFrame(pipeline, {
        framesKey: this.#o.keys.frames,
        statsKey: this.#o.keys.stats,
        group: this.#o.group,
        id: formatEntryId(f.id),
        policy: this.#o.policy,
        maxLen: this.#o.maxLen,
        fields: this.#fields(f),
      }); // queued on the pipeline: the reply is read from exec()
    }
    try {
      const replies = (await pipeline.exec()) ?? [];
      return frames.map((_, i) => {
        const r = replies[i];
        return r === undefined ? new Error('no reply') : publishOutcome(r[0], r[1]);
      });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return frames.map(() => e);
    }
  }

  #fields(f: PendingFrame): FieldValue[] {
    return encodeFrameFields({
      source: this.#o.source,
      seq: f.seq,
      captureUs: f.captureUs,
      width: f.width,
      height: f.height,
      format: 'jpeg',
      data: f.data,
      ...(f.meta === undefined ? {} : { meta: f.meta }),
    });
  }

  /** Retries the frames that failed until all are confirmed or the signal aborts. */
  async publish(frames: readonly PendingFrame[], signal: AbortSignal): Promise<BatchReport> {
    let todo = frames;
    let added = 0;
    let duplicates = 0;
    let attempt = 0;
    while (todo.length > 0) {
      // Past the flush deadline a write Redis does not answer is given up on, not awaited:
      // its frames are reported unconfirmed (they may still have been stored).
      const once = await beforeAbort(this.publishOnce(todo), signal);
      if (!once.settled) {
        break;
      }
      const outcomes = once.value;
      const failed: PendingFrame[] = [];
      let lastErr: Error | undefined;
      outcomes.forEach((o, i) => {
        if (o === 'added') {
          added++;
        } else if (o === 'duplicate') {
          duplicates++;
        } else {
          failed.push(todo[i]!);
          lastErr = o;
        }
      });
      todo = failed;
      if (todo.length === 0 || signal.aborted) {
        break;
      }
      attempt++;
      const delayMs = reconnectDelayMs(attempt, this.#o.random);
      const ctx = { err: lastErr, frames: todo.length, firstSeq: todo[0]!.seq, attempt, delayMs };
      if (isOomError(lastErr)) {
        // XADD is refused at maxmemory but XTRIM is not: free what every group has acked.
        this.#o.onOom?.();
        const trimmed = await trimAcked(this.#o.redis, this.#o.keys.frames).catch(() => 0);
        this.#log.warn(
          { ...ctx, trimmed },
          'Redis is out of memory (maxmemory): backing off, retrying with the same ids',
        );
      } else {
        this.#log.warn(ctx, 'publishing frames failed, retrying with the same ids');
      }
      await sleep(delayMs, signal);
      if (this.#o.mayWrite !== undefined && !(await this.#o.mayWrite(signal))) {
        break;
      }
    }
    return { added, duplicates, unconfirmed: todo, retries: attempt };
  }
}
