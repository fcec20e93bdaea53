import { checkReadablePath, isUrlInput } from './check-input.js';
import { resolveFfmpeg, buildFfmpegArgs, runFfmpegMjpeg } from './ffmpeg.js';
import type { FrameSource, RawFrame } from './frame-source.js';

export interface VideoFileSourceOptions {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly quality: number;
  readonly loop: boolean;
  /** Defaults to process.env (PATH is searched for ffmpeg). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A video file decoded by ffmpeg to MJPEG over a pipe. Every frame is kept (the producer
 * paces reading with --fps; the pipe holds ffmpeg back), so a replay is deterministic.
 */
export function createVideoFileSource(options: VideoFileSourceOptions): FrameSource {
  const controller = new AbortController();
  const { width, height } = options;
  let ffmpegPath: string | undefined;
  return {
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
        loop: options.loop,
      });
      for await (const data of runFfmpegMjpeg(ffmpeg, args, controller.signal, options.env)) {
        yield { width, height, image: { format: 'jpeg', data } };
      }
    },
    close(): Promise<void> {
      controller.abort();
      return Promise.resolve();
    },
  };
}
