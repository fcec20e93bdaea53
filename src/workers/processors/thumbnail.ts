import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import { PoisonFrameError } from '../../shared/errors.js';
import type { FrameInput, ProcessOptions, Processor } from './processor.js';
import { MAX_DECODE_PIXELS } from '../../shared/decode-limits.js';

export interface ThumbnailResult {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

export function thumbnailPath(dir: string, source: string, seq: number): string {
  return join(dir, source, `${seq}.jpg`);
}

export async function writeThumbnail(
  frame: FrameInput,
  options: ProcessOptions,
): Promise<ThumbnailResult> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(frame.data, { limitInputPixels: MAX_DECODE_PIXELS })
      .resize({ width: options.thumbnailWidth })
      .jpeg({ quality: 75 })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new PoisonFrameError(`undecodable JPEG: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
  // File errors are not the frame's fault: they propagate and the entry is retried.
  const path = thumbnailPath(options.thumbnailDir, frame.source, frame.seq);
  await mkdir(join(options.thumbnailDir, frame.source), { recursive: true });
  // Write then rename: a redelivered frame overwrites atomically, readers never see half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, out.data);
  await rename(tmp, path);
  return { path, width: out.info.width, height: out.info.height, bytes: out.info.size };
}

const thumbnailProcessor: Processor = {
  name: 'thumbnail',
  runsOn: 'inline',
  process: (frame, options) => writeThumbnail(frame, options),
};

export default thumbnailProcessor;
