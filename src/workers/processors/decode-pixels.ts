import sharp, { type Sharp } from 'sharp';
import { PoisonFrameError } from '../../shared/errors.js';
import { MAX_DECODE_PIXELS } from '../../shared/decode-limits.js';

export interface RawImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * JPEG -> 8-bit pixels as the file stores them after decoding: 3 channels (RGB) for colour
 * JPEGs, 1 for greyscale, 4 for CMYK. A JPEG sharp cannot decode is poison: retrying it can
 * never succeed.
 */
export async function decodeRaw(jpeg: Uint8Array): Promise<RawImage> {
  return decodeWith(jpeg, (s) => s);
}

/** JPEG -> 8-bit greyscale pixels through libvips' own conversion (any colour space). */
export async function decodeGrey(jpeg: Uint8Array): Promise<RawImage> {
  return decodeWith(jpeg, (s) => s.toColourspace('b-w'));
}

async function decodeWith(jpeg: Uint8Array, pipeline: (s: Sharp) => Sharp): Promise<RawImage> {
  try {
    const { data, info } = await pipeline(sharp(jpeg, { limitInputPixels: MAX_DECODE_PIXELS }))
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    throw new PoisonFrameError(`undecodable JPEG: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
}
