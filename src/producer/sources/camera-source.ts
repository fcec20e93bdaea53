import { SourceError } from '../../shared/errors.js';
import { sleep } from '../../shared/shutdown.js';
import { checkReadablePath, isUrlInput } from './check-input.js';
import { buildFfmpegArgs, resolveFfmpeg, runFfmpegMjpeg } from './ffmpeg.js';
import type { FrameSource, RawFrame } from './frame-source.js';

export interface CameraSourceOptions {
  /** /dev/videoN (read with v4l2), or any ffmpeg input URL (rtsp://, http://). */
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly quality: number;
  /** The ffmpeg fps filter; none: the device's own rate. */
  readonly fps?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Called when ffmpeg stopped and a reconnect is scheduled. */
  readonly onReconnect?: (err: unknown, delayMs: number) => void;
  readonly random?: () => number;
}

const MAX_RECONNECT_MS = 10_000;

/** Exponential backoff with full jitter, 250 ms doubling up to 10 s. */
export function cameraReconnectDelayMs(
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(MAX_RECONNECT_MS, 250 * 2 ** Math.min(attempt, 10));
  return Math.max(50, Math.round(ceiling * random()));
}

export function cameraInputOptions(path: string, platform = process.platform): string[] {
  if (path.startsWith('rtsp://')) {
    return ['-rtsp_transport', 'tcp'];
  }
  if (path.startsWith('/dev/video') && platform === 'linux') {
    return ['-f', 'v4l2'];
  }
  return [];
}

/** A live camera through ffmpeg; reconnects with backoff whenever ffmpeg stops. */
export function createCameraSource(options: CameraSourceOptions): FrameSource {
  const controller = new AbortController();
  const { width, height } = options;
  let ffmpegPath: string | undefined;
  return {
    // Only at start: later, a device that goes away is a reconnect, not bad input.
    async check(): Promise<void> {
      if (!isUrlInput(options.path)) {
        await checkReadablePath(options.path, 'file');
      }
      ffmpegPath = await resolveFfmpeg(options.env);
    },
    async *[Symbol.asyncIterator](): AsyncIterator<RawFrame> {
      const ffmpeg = ffmpegPath ?? (await resolveFfmpeg(options.env));
      const args = buildFfmpegArgs({
        input: options.path,
        width,
        height,
        quality: options.quality,
        fps: options.fps,
        inputOptions: cameraInputOptions(options.path),
      });
      for (let attempt = 0; !controller.signal.aborted; attempt++) {
        let failure: unknown = new SourceError(`camera ${options.path} stream ended`);
        try {
          for await (const data of runFfmpegMjpeg(ffmpeg, args, controller.signal, options.env)) {
            attempt = 0;
            yield { width, height, image: { format: 'jpeg', data } };
          }
        } catch (err) {
          failure = err;
        }
        if (controller.signal.aborted) {
          return;
        }
        const delayMs = cameraReconnectDelayMs(attempt, options.random);
        options.onReconnect?.(failure, delayMs);
        await sleep(delayMs, controller.signal);
      }
    },
    close(): Promise<void> {
      controller.abort();
      return Promise.resolve();
    },
  };
}
