import type { ProducerConfig } from '../shared/config/schema.js';
import { FrameTooLargeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import { sleep } from '../shared/shutdown.js';
import { frameToJpeg } from './encode-jpeg.js';
import { nextEntryId } from './entry-id.js';
import type { FrameBuffer } from './frame-buffer.js';
import { delayUntil, frameIntervalMs, nextDeadline } from './pacing.js';
import type { FrameSource } from './sources/frame-source.js';
import type { StreamPosition } from './stream-setup.js';

export interface IngestCounters {
  refused: number;
  dropped: number;
  encodeMsTotal: number;
  encoded: number;
}

export interface IngestOptions {
  readonly config: ProducerConfig;
  readonly source: FrameSource;
  readonly buffer: FrameBuffer;
  readonly position: StreamPosition;
  readonly now: () => number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly counters: IngestCounters;
  readonly signal: AbortSignal;
}

/**
 * Source -> fps pacing -> JPEG -> size check -> entry id -> buffer. Ends when the source
 * ends, `frames` were taken, or the signal aborts; always ends the buffer.
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
  try {
    while (!signal.aborted && (config.frames === 0 || taken < config.frames)) {
      deadline = nextDeadline(deadline, o.now(), interval);
      await sleep(delayUntil(deadline, o.now()), signal);
      if (signal.aborted) {
        break;
      }
      const next = await frames.next();
      if (next.done === true) {
        break;
      }
      taken++;
      const captureMs = o.now();
      const frameSeq = seq++;
      const started = performance.now();
      let data: Buffer;
      try {
        data = await frameToJpeg(next.value, config.quality);
      } catch (err) {
        counters.refused++;
        metrics.framesRefused.inc({ ...labels, reason: 'encode_error' });
        o.logger.warn({ err, seq: frameSeq }, 'frame refused: JPEG encoding failed');
        continue;
      }
      counters.encodeMsTotal += performance.now() - started;
      counters.encoded++;
      if (data.length > config.maxFrameBytes) {
        const err = new FrameTooLargeError(data.length, config.maxFrameBytes);
        counters.refused++;
        metrics.framesRefused.inc({ ...labels, reason: 'too_large' });
        o.logger.warn({ err, seq: frameSeq, bytes: data.length }, 'frame refused: too large');
        continue;
      }
      lastId = nextEntryId(lastId, captureMs);
      const pushed = await buffer.push(
        {
          id: lastId,
          seq: frameSeq,
          captureUs: Math.round(captureMs * 1000),
          width: next.value.width,
          height: next.value.height,
          data,
          ...(next.value.meta === undefined ? {} : { meta: next.value.meta }),
        },
        signal,
      );
      if (pushed.kind !== 'accepted') {
        const reason = pushed.kind === 'dropped' ? 'buffer_full' : 'shutdown';
        counters.dropped++;
        metrics.framesDropped.inc({ ...labels, reason });
        o.logger.debug(
          { seq: pushed.kind === 'dropped' ? pushed.frame.seq : frameSeq, reason },
          'frame dropped',
        );
      }
      metrics.bufferedFrames.set(labels, buffer.size);
    }
  } finally {
    buffer.end();
    await frames.return?.();
  }
}
