import sharp from 'sharp';
import { PoisonFrameError } from '../../shared/errors.js';

export interface GreyImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * JPEG -> 8-bit greyscale pixels. `toColourspace('b-w')` does the grey work ~1.5x faster than
 * `grayscale()`. A JPEG sharp cannot decode is poison: retrying it can never succeed.
 */
export async function decodeGrey(jpeg: Uint8Array): Promise<GreyImage> {
  try {
    const { data, info } = await sharp(jpeg)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (err) {
    throw new PoisonFrameError(`undecodable JPEG: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
}

/** Mean and variance of 8-bit samples in one pass. */
export function meanVariance(samples: Uint8Array): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  // An indexed loop: for...of over a Buffer was 38% of a worker's CPU profile.
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    sum += v;
    sumSq += v * v;
  }
  const n = Math.max(1, samples.length);
  const mean = sum / n;
  return { mean, variance: Math.max(0, sumSq / n - mean * mean) };
}
