import type { ProducerConfig } from '../shared/config/schema.js';
import { FrameTooLargeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import { sleep } from '../shared/shutdown.js';
import { frameToJpeg } from './encode-jpeg.js';
import { nextEntryId } from '../shared/entry-id.js';
import type { FrameBuffer } from './frame-buffer.js';
import { delayUntil, frameIntervalMs, nextDeadline } from './pacing.js';
import {
  isUnreadable,
  type FrameSource,
  type RawFrame,
  type SourceItem,
  type UnreadableReason,
} from './sources/frame-source.js';
import type { StreamPosition } from './stream-setup.js';

export interface IngestCounters {
  refused: number;
  dropped: number;
  encodeMsTotal: number;
  encoded: number;
}

export interface IngestOptions {
  readonly config: ProducerConfig;
  readonly source: FrameSource<SourceItem>;
  readonly buffer: FrameBuffer;
  readonly position: StreamPosition;
  readonly now: () => number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly counters: IngestCounters;
  readonly signal: AbortSignal;
}

/** framepipe_frames_refused_total reasons: the frame never reaches Redis. */
type RefusedReason = 'encode_error' | 'too_large' | UnreadableReason;

function countRefused(o: IngestOptions, reason: RefusedReason): void {
  o.counters.refused++;
  o.metrics.framesRefused.inc({ source: o.config.source, reason });
}

/**
 * The source's next frame. Inputs it could not read are refused and skipped here, without
 * a seq or a pacing slot: they never were frames.
 */
async function nextFrame(
  frames: AsyncIterator<SourceItem>,
  o: IngestOptions,
  warned: Set<string>,
): Promise<RawFrame | undefined> {
  while (!o.signal.aborted) {
    const next = await frames.next();
    if (next.done === true) {
      return undefined;
    }
    if (!isUnreadable(next.value)) {
      return next.value;
    }
    const { reason, input, err } = next.value.unreadable;
    countRefused(o, reason);
    // A looping folder offers the same bad file on every pass: warn once, count every time.
    const first = !warned.has(input);
    warned.add(input);
    o.logger[first ? 'warn' : 'debug'](
      { err, input, reason },
      first ? 'frame refused: input unreadable' : 'frame refused again: input unreadable',
    );
  }
  return undefined;
}

/**
 * Source -> fps pacing (none at fps 0) -> JPEG -> size check -> entry id -> buffer. Ends when
 * the source ends, `frames` were taken, or the signal aborts; always ends the buffer.
 */
export async function ingestFrames(o: IngestOptions): Promise<void> {
  const { config, buffer, counters, metrics, signal } = o;
  const labels = { source: config.source };
  const interval = frameIntervalMs(config.fps);
  const frames = o.source[Symbol.asyncIterator]();
  let lastId = o.position.lastId;
  let seq = o.position.lastSeq + 1;
  let taken = 0;
  let deadline: number | undefined;
  const warnedInputs = new Set<string>();
  try {
    while (!signal.aborted && (config.frames === 0 || taken < config.frames)) {
      if (interval > 0) {
        deadline = nextDeadline(deadline, o.now(), interval);
        await sleep(delayUntil(deadline, o.now()), signal);
      } else {
        // No cap: a timer would still take a millisecond (Node's least), so only let I/O run.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (signal.aborted) {
        break;
      }
      const frame = await nextFrame(frames, o, warnedInputs);
      if (frame === undefined) {
        break;
      }
      taken++;
      const captureMs = o.now();
      const frameSeq = seq++;
      const started = performance.now();
      let data: Buffer;
      try {
        data = await frameToJpeg(frame, config.quality);
      } catch (err) {
        countRefused(o, 'encode_error');
        o.logger.warn({ err, seq: frameSeq }, 'frame refused: JPEG encoding failed');
        continue;
      }
      counters.encodeMsTotal += performance.now() - started;
      counters.encoded++;
      if (data.length > config.maxFrameBytes) {
        const err = new FrameTooLargeError(data.length, config.maxFrameBytes);
        countRefused(o, 'too_large');
        o.logger.warn({ err, seq: frameSeq, bytes: data.length }, 'frame refused: too large');
        continue;
      }
      lastId = nextEntryId(lastId, captureMs);
      const pushed = await buffer.push(
        {
          id: lastId,
          seq: frameSeq,
          captureUs: Math.round(captureMs * 1000),
          width: frame.width,
          height: frame.height,
          data,
          ...(frame.meta === undefined ? {} : { meta: frame.meta }),
        },
        signal,
      );
      if (pushed.kind === 'dropped') {
        counters.dropped++;
        metrics.framesDropped.inc({ ...labels, reason: 'buffer_full' });
        o.logger.debug({ seq: pushed.frame.seq, reason: 'buffer_full' }, 'frame dropped');
      }
      metrics.bufferedFrames.set(labels, buffer.size);
    }
  } finally {
    buffer.end();
    await frames.return?.();
  }
}
